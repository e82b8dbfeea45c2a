import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// RFC 8288 web links; WHIP/WHEP carry ICE servers in them (RFC 9725 §4.4).
    static let link = literal("Link")
    /// RFC 7694 §3 / RFC 9725 §4.4: the media types a POST resource accepts.
    static let acceptPost = literal("Accept-Post")
    /// RFC 5789 §3.1: the media types a PATCH accepts.
    static let acceptPatch = literal("Accept-Patch")
    /// The internal API's request signature (``InternalRequestSignature``).
    static let meshcastSignature = literal(InternalRequestSignature.headerName)
    /// The de facto proxy header naming the client (placement believes it only from trusted proxies).
    static let xForwardedFor = literal("X-Forwarded-For")
    /// The de facto request id header; the audit log records it and audited answers echo it.
    static let requestID = literal("X-Request-ID")

    /// A field name HTTPTypes does not predefine. The literals above are valid tokens, so the
    /// failable initializer cannot fail; the precondition only guards future edits.
    private static func literal(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("invalid header name \(name)") }
        return field
    }
}
