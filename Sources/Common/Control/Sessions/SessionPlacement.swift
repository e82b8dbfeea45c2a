import HTTPTypes
import Hummingbird

/// Where a WHIP/WHEP `POST` goes in a mesh: the ``PlacementRequest`` built from the request,
/// and the answers for verdicts other than ``PlacementVerdict/here``.
enum SessionPlacement {
    /// Query parameters placement reads and redirects rewrite; a redirect drops the client's own
    /// values and appends the new ones. `placed` and `reservation` were the unsigned forms of a
    /// grant in earlier versions: dropped, never believed.
    static let rewrittenParameters: Set<Substring> = ["grant", "placed", "reservation", "access_token"]

    /// The request as placement sees it: the TCP peer, `X-Forwarded-For`, the `region` and
    /// `grant` query parameters, and the client's token.
    static func request(_ request: Request, context: ControlRequestContext, token: String) -> PlacementRequest {
        let query = request.uri.queryParameters
        let parameter = { (name: Substring) -> String? in
            guard let value = query[name], !value.isEmpty else { return nil }
            return String(value)
        }
        return PlacementRequest(
            peerAddress: context.remoteAddress?.ipAddress,
            forwardedFor: request.headers[.xForwardedFor],
            regionParameter: parameter("region"),
            grant: parameter("grant"), token: token)
    }

    /// The answer to a verdict that is not ``PlacementVerdict/here``, or `nil` for `.here`.
    static func response(
        _ verdict: PlacementVerdict, kind: SessionKind, stream: String, request: Request, token: String
    ) -> (response: Response, reason: String)? {
        switch verdict {
        case .here:
            return nil
        case .redirect(let nodeID, let apiBase, let grant):
            let target = location(
                apiBase: apiBase, path: kind.resourcePath(stream: stream), query: request.uri.query, grant: grant,
                token: token)
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

    /// `<apiBase><path>?<the client's query without grant, placed, reservation and access_token>`
    /// `&grant=<signed grant>&access_token=<token>`. The token travels in the query (RFC 6750
    /// §2.3) because clients drop `Authorization` when a redirect leaves the origin.
    static func location(apiBase: String, path: String, query: String?, grant: String, token: String) -> String {
        var base = apiBase
        while base.hasSuffix("/") { base.removeLast() }
        var parameters = (query ?? "").split(separator: "&").filter { part in
            let key = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !rewrittenParameters.contains(key)
        }.map(String.init)
        parameters.append("grant=" + PercentEncoding.encoded(grant))
        parameters.append("access_token=" + PercentEncoding.encoded(token))
        return base + path + "?" + parameters.joined(separator: "&")
    }
}
