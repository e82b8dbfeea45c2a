/// The pages a node serves so that a person can try the mesh in a browser.
///
/// Plain HTML and JavaScript with no external assets, so they work offline. Each page is a
/// raw string literal in its own file (`IndexPage.swift`, `PublisherPage.swift`,
/// `PlayerPage.swift`); `Tests/Interop` drives them in headless Chromium.
enum WebPages {}
