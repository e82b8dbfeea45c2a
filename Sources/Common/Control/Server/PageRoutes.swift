import Hummingbird

/// The browser pages (`Pages/WebPages.swift`): a landing page, a WHIP publisher, a WHEP player.
enum PageRoutes {
    static func register(on router: Router<ControlRequestContext>) {
        for (path, page) in [("/", WebPages.index), ("/publish", WebPages.publisher), ("/watch", WebPages.player)] {
            router.get(RouterPath(path)) { _, _ in
                Responses.body(.ok, contentType: MediaTypes.html, page)
            }
        }
    }
}
