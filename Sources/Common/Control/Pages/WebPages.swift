/// The pages a node serves so that a person can try the mesh in a browser.
enum WebPages {
    /// `GET /`: links to the publisher and the player.
    static let index = "<!doctype html><title>Meshcast</title><p>pages coming</p>"
    /// `GET /publish`: camera or screen to WHIP.
    static let publisher = index
    /// `GET /watch`: a WHEP player.
    static let player = index
}
