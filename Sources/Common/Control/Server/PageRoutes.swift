import Hummingbird

/// The browser pages (each a ``WebPage``, in `Pages/`): a landing page, a WHIP publisher, a WHEP
/// player, the operators' mesh dashboard, a recorder's recordings.
enum PageRoutes {
    static func register(on router: Router<ControlRequestContext>) {
        let pages: [any WebPage.Type] = [
            IndexPage.self, PublisherPage.self, PlayerPage.self, DashboardPage.self, RecordingsPage.self,
        ]
        for page in pages {
            let html = page.html
            router.get(RouterPath(page.path)) { _, _ in
                Responses.body(.ok, contentType: MediaTypes.html, html)
            }
        }
    }
}
