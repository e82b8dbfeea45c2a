/// POSTs an SDP offer to a WHIP or WHEP endpoint and follows placement's `307`s (RFC 9725
/// §4.2 allows the redirect; the `Location` carries the placed node's `access_token`), at most
/// three hops. Returns the final response and the URL that answered it.
enum OfferPost {
    static func send(sdp: String, to url: HTTPURL, token: String) throws(HTTPClientError) -> (HTTPResponse, HTTPURL) {
        var target = url
        for _ in 0..<3 {
            let response = try HTTPClient.request(
                "POST", target, headers: [("Content-Type", "application/sdp"), ("Authorization", "Bearer \(token)")],
                body: Array(sdp.utf8))
            guard response.status == 307 || response.status == 308 else { return (response, target) }
            guard let location = response.headers["location"].flatMap(target.resolving) else {
                throw HTTPClientError(description: "\(response.status) from \(target) without a usable Location")
            }
            target = location
        }
        throw HTTPClientError(description: "more than three redirects from \(url)")
    }
}
