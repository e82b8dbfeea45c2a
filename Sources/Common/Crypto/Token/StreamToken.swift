#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The claims of a Meshcast stream token: a JWT (RFC 7519) signed with HS256 that lets its
/// bearer publish, view or (operator) manage the sessions of one stream (or any, with `*`)
/// until it expires.
public struct StreamToken: Sendable, Equatable {
    /// The stream name the token is for; `*` grants every stream.
    public var stream: String
    /// What the bearer may do.
    public var action: StreamAction
    /// `exp`: seconds since 1970 (NumericDate, RFC 7519 §2) from which the token is refused.
    public var expiresAt: Int64
    /// `iat`: when the token was minted, seconds since 1970.
    public var issuedAt: Int64

    /// The `stream` value that matches every stream.
    public static let anyStream = "*"

    /// Creates claims.
    public init(stream: String, action: StreamAction, expiresAt: Int64, issuedAt: Int64) {
        self.stream = stream
        self.action = action
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }

    /// Mints a signed token for `stream` and `action`, valid for `ttl` from `now`.
    ///
    /// `secret` is the mesh's token secret (at least 16 bytes in practice; `meshcast token`
    /// enforces that). Throws only if OpenSSL's HMAC fails.
    public static func mint(
        stream: String, action: StreamAction, ttl: Duration, secret: [UInt8], now: Date = Date()
    ) throws(OpenSSLError) -> String {
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let claims = StreamToken(
            stream: stream, action: action, expiresAt: issuedAt &+ ttl.components.seconds, issuedAt: issuedAt)
        return try claims.signed(secret: secret)
    }

    /// This token's claims, signed: `header.payload.signature`.
    public func signed(secret: [UInt8]) throws(OpenSSLError) -> String {
        let header = Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)
        return try CompactHS256.sign(header: header, payload: payloadJSON(), secret: secret)
    }

    /// The claims as JSON, keys in a fixed order so that equal claims mint equal tokens.
    func payloadJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding four plain fields cannot fail; the fallback keeps this function total.
        let data = (try? encoder.encode(Claims(self))) ?? Data("{}".utf8)
        return Array(data)
    }

    /// The JSON shape of the claims (RFC 7519 §4.1 names for `exp` and `iat`).
    struct Claims: Codable {
        var stream: String
        var action: String
        var exp: Double
        var iat: Double?

        init(_ token: StreamToken) {
            stream = token.stream
            action = token.action.rawValue
            exp = Double(token.expiresAt)
            iat = Double(token.issuedAt)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stream, forKey: .stream)
            try container.encode(action, forKey: .action)
            try container.encode(Int64(exp), forKey: .exp)
            try container.encodeIfPresent(iat.map { Int64($0) }, forKey: .iat)
        }
    }
}
