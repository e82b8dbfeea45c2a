/// A page a node serves so that a person can try the mesh in a browser.
///
/// Plain HTML and JavaScript with no external assets, so they work offline. Each page is its own
/// type holding a raw string literal, in its own file (``IndexPage``, ``PublisherPage``,
/// ``PlayerPage``); `PageRoutes` serves them and `Tests/Interop` drives them in headless Chromium.
protocol WebPage {
    /// The path the page is served at, with `GET`.
    static var path: String { get }
    /// The whole page.
    static var html: String { get }
}
