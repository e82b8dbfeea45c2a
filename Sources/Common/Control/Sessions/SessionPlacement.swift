import HTTPTypes
import Hummingbird

/// Where a WHIP/WHEP `POST` goes in a mesh: the ``PlacementRequest`` built from the request,
/// and the answers for verdicts other than ``PlacementVerdict/here``.
enum SessionPlacement {
    /// Query parameters placement reads and redirects rewrite; a redirect drops the client's own
    /// values and appends the new ones.
    static let rewrittenParameters: Set<Substring> = ["placed", "reservation", "access_token"]

    /// The request as placement sees it: the TCP peer, `X-Forwarded-For`, and the `region`,
    /// `placed` and `reservation` query parameters.
    static func request(_ request: Request, context: ControlRequestContext) -> PlacementRequest {
        let query = request.uri.queryParameters
        let parameter = { (name: Substring) -> String? in
            guard let value = query[name], !value.isEmpty else { return nil }
            return String(value)
        }
        return PlacementRequest(
            peerAddress: context.remoteAddress?.ipAddress,
            forwardedFor: request.headers[.xForwardedFor],
            regionParameter: parameter("region"),
            placedFor: parameter("placed"),
            reservation: parameter("reservation"))
    }

    /// The answer to a verdict that is not ``PlacementVerdict/here``, or `nil` for `.here`.
    static func response(
        _ verdict: PlacementVerdict, kind: SessionKind, stream: String, request: Request, token: String
    ) -> (response: Response, reason: String)? {
        switch verdict {
        case .here:
            return nil
        case .redirect(let nodeID, let apiBase, let reservation):
            let target = location(
                apiBase: apiBase, path: kind.resourcePath(stream: stream), query: request.uri.query, nodeID: nodeID,
                reservation: reservation, token: token)
            return (
                Responses.text(.temporaryRedirect, "placed on \(nodeID)", headers: [.location: target]),
                "\(kind.role) placed on \(nodeID)"
            )
        case .unavailable(let reason, let retryAfterSeconds):
            return (
                Responses.text(
                    .serviceUnavailable, reason, headers: [.retryAfter: String(max(0, retryAfterSeconds))]),
                "placement unavailable: \(reason)"
            )
        case .refused(let status, let reason):
            // A status outside 4xx/5xx would not be a refusal; answer it as this node's own fault.
            let code = (400...599).contains(status) ? status : 500
            return (Responses.text(HTTPResponse.Status(code: code), reason), "placement refused: \(reason)")
        }
    }

    /// `<apiBase><path>?<the client's query without placed, reservation and access_token>`
    /// `&placed=<node>[&reservation=<r>]&access_token=<token>`. The token travels in the query
    /// (RFC 6750 §2.3) because clients drop `Authorization` when a redirect leaves the origin.
    static func location(
        apiBase: String, path: String, query: String?, nodeID: String, reservation: String?, token: String
    ) -> String {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        var parameters = (query ?? "").split(separator: "&").filter { part in
            let key = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !rewrittenParameters.contains(key)
        }.map(String.init)
        parameters.append("placed=" + PercentEncoding.encoded(nodeID))
        if let reservation { parameters.append("reservation=" + PercentEncoding.encoded(reservation)) }
        parameters.append("access_token=" + PercentEncoding.encoded(token))
        return base + path + "?" + parameters.joined(separator: "&")
    }
}
