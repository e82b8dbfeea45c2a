#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The claims of a Meshcast stream token: a JWT (RFC 7519) signed with HS256 that gives its
/// bearer one role (``StreamAction``) on the streams its `stream` claim matches (a name, `*`, or
/// a pattern: ``covers(stream:)``) until it expires.
///
/// Tokens minted by `meshcast token` also carry `sub` (who it was minted for, the actor the audit
/// log names), `jti` (its id, by which it can be revoked) and, when signed with a named key, the
/// header's `kid`. Tokens without them, as minted before roles, keep working: no `kid` means the
/// primary secret, and without a `jti` a token cannot be revoked, so the operator API (which
/// needs revocable tokens) refuses it.
public struct StreamToken: Sendable, Equatable {
    /// The stream name or pattern the token is for; `*` matches every stream.
    public var stream: String
    /// What the bearer may do.
    public var action: StreamAction
    /// `exp`: seconds since 1970 (NumericDate, RFC 7519 §2) from which the token is refused.
    public var expiresAt: Int64
    /// `iat`: when the token was minted, seconds since 1970.
    public var issuedAt: Int64
    /// `sub` (RFC 7519 §4.1.2): who the token was minted for.
    public var subject: String?
    /// `jti` (RFC 7519 §4.1.7): the token's unique id, by which it is revoked.
    public var tokenID: String?
    /// The header's `kid` (RFC 7515 §4.1.4): which key signed it; `nil` for the primary secret.
    public var keyID: String?

    /// The `stream` value that matches every stream.
    public static let anyStream = "*"

    /// Creates claims.
    public init(
        stream: String, action: StreamAction, expiresAt: Int64, issuedAt: Int64, subject: String? = nil,
        tokenID: String? = nil, keyID: String? = nil
    ) {
        self.stream = stream
        self.action = action
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.subject = subject
        self.tokenID = tokenID
        self.keyID = keyID
    }

    /// Mints a signed token for `stream` and `action`, valid for `ttl` from `now`, without
    /// `sub`, `jti` or `kid` (the shape tokens had before roles).
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

    /// A fresh token id: 128 random bits as 32 lowercase hex digits.
    public static func newTokenID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }.joined()
    }

    /// This token's claims, signed with `secret`: `header.payload.signature`. The header names
    /// ``keyID`` when it is set, so `secret` must be that key's.
    public func signed(secret: [UInt8]) throws(OpenSSLError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Three strings always encode; sorted keys give `{"alg":"HS256","typ":"JWT"}` without a kid.
        let header = Array((try? encoder.encode(Header(kid: keyID))) ?? Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        return try CompactHS256.sign(header: header, payload: payloadJSON(), secret: secret)
    }

    /// Signs with `ring`'s signing key (its `kid` in the header), or the primary secret when the
    /// ring has no named key.
    public func signed(with ring: TokenKeyRing) throws(OpenSSLError) -> String {
        var claims = self
        claims.keyID = ring.signingKey?.id
        return try claims.signed(secret: ring.signingKey?.secret ?? ring.primary)
    }

    /// The claims as JSON, keys in a fixed order so that equal claims mint equal tokens.
    func payloadJSON() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain fields cannot fail; the fallback keeps this function total.
        let data = (try? encoder.encode(Claims(self))) ?? Data("{}".utf8)
        return Array(data)
    }

    /// The JOSE header (RFC 7515 §4.1).
    struct Header: Encodable {
        var alg = "HS256"
        var kid: String?
        var typ = "JWT"
    }

    /// The JSON shape of the claims (RFC 7519 §4.1 names for `exp`, `iat`, `sub` and `jti`).
    struct Claims: Codable {
        var stream: String
        var action: String
        var exp: Double
        var iat: Double?
        var sub: String?
        var jti: String?

        init(_ token: StreamToken) {
            stream = token.stream
            action = token.action.rawValue
            exp = Double(token.expiresAt)
            iat = Double(token.issuedAt)
            sub = token.subject
            jti = token.tokenID
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(stream, forKey: .stream)
            try container.encode(action, forKey: .action)
            try container.encode(Int64(exp), forKey: .exp)
            try container.encodeIfPresent(iat.map { Int64($0) }, forKey: .iat)
            try container.encodeIfPresent(sub, forKey: .sub)
            try container.encodeIfPresent(jti, forKey: .jti)
        }
    }
}
