/// The WHIP or WHEP POST (RFC 9725 §4.2): the offer with a Bearer token, following `307`/`308`
/// redirects (a placement redirect may carry the token for the target node in an
/// `access_token` query parameter, which then becomes the Bearer token).
enum OfferRequest {
    /// What the node answered: the SDP answer and the session URL to DELETE.
    struct Created: Sendable {
        let answer: String
        let session: HTTPURL?
        /// The token that worked (after redirects), for the DELETE.
        let token: String
        /// The `Link` field (RFC 9725 §4.6: ICE servers, with TURN credentials), repeated
        /// fields joined with commas; empty when there was none.
        var links: String = ""
    }

    /// Redirects followed before giving up.
    static let maximumRedirects = 4

    /// POSTs `offer` to `endpoint`.
    static func post(offer: String, to endpoint: HTTPURL, token: String) throws -> Created {
        var url = endpoint
        var token = token
        for _ in 0...maximumRedirects {
            let response = try HTTPClient.request(
                "POST", url, headers: [("Content-Type", "application/sdp"), ("Authorization", "Bearer \(token)")],
                body: Array(offer.utf8))
            switch response.status {
            case 201:
                return Created(
                    answer: response.text, session: response.headers["location"].flatMap(url.resolving), token: token,
                    links: response.headers["link"] ?? "")
            case 307, 308:
                guard let location = response.headers["location"], let next = url.resolving(location) else {
                    throw HTTPClientError(description: "redirect \(response.status) without a usable Location")
                }
                if let carried = accessToken(in: next.target) { token = carried }
                url = next
            default:
                throw HTTPClientError(description: "POST answered \(response.status): \(response.text.prefix(200))")
            }
        }
        throw HTTPClientError(description: "more than \(maximumRedirects) redirects")
    }

    /// The `access_token` query parameter of `target`, if any.
    static func accessToken(in target: String) -> String? {
        guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("access_token=") {
            return String(pair.dropFirst("access_token=".count))
        }
        return nil
    }
}
