#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks stream tokens against the mesh's keys, the requested stream and action, and the time.
public struct StreamTokenVerifier: Sendable {
    /// The keys tokens are checked against.
    public let keys: TokenKeyRing

    /// Creates a verifier for tokens signed with `secret` (and no named keys).
    public init(secret: [UInt8]) {
        self.keys = TokenKeyRing(primary: secret)
    }

    /// Creates a verifier for tokens signed with any key of `keys`.
    public init(keys: TokenKeyRing) {
        self.keys = keys
    }

    /// Returns the token's claims if it is a well-formed HS256 JWT signed with the key its
    /// `kid` names (the primary secret without one), not expired at `now`, and grants `action`
    /// on `stream` (``StreamAction/grants(_:orOperator:)``: admin grants everything; with
    /// `orOperator`, an operator token is accepted too).
    ///
    /// Checks run in this order, so the error names the first problem: structure and `alg`,
    /// key id, signature, claims, `exp`, stream, action.
    public func verify(
        _ token: String, stream: String, action: StreamAction, orOperator: Bool = false, now: Date = Date()
    ) throws(TokenError) -> StreamToken {
        let claims = try verify(token, now: now)
        guard claims.covers(stream: stream) else { throw .wrongStream }
        guard claims.action.grants(action, orOperator: orOperator) else { throw .wrongAction }
        return claims
    }

    /// Returns the claims of a well-formed, well-signed token that has not expired at `now`,
    /// whatever stream and role it is for; the caller checks those.
    public func verify(_ token: String, now: Date = Date()) throws(TokenError) -> StreamToken {
        let (payload, kid) = try CompactHS256.verifiedPayload(token) { kid throws(TokenError) in
            try keys.secret(for: kid)
        }
        var claims = try Self.claims(payload)
        claims.keyID = kid
        // RFC 7519 §4.1.4: the current time must be before exp.
        guard now.timeIntervalSince1970 < Double(claims.expiresAt) else { throw .expired }
        return claims
    }

    private static func claims(_ payload: [UInt8]) throws(TokenError) -> StreamToken {
        let claims: StreamToken.Claims
        do {
            claims = try JSONDecoder().decode(StreamToken.Claims.self, from: Data(payload))
        } catch {
            throw .malformed("claims need a string stream and action and a numeric exp (RFC 7519 §4.1.4)")
        }
        guard let action = StreamAction(rawValue: claims.action) else {
            // The claim is the client's text: echo a little of it, not up to 4 KiB.
            throw .malformed(
                "action must be publish, view, record, operator or admin, not \(claims.action.prefix(32))")
        }
        guard let expiresAt = whole(claims.exp), let issuedAt = whole(claims.iat ?? 0) else {
            throw .malformed("exp and iat must be NumericDates (RFC 7519 §2)")
        }
        // sub and jti are the client's text too, and land in logs and Redis: bounded, printable.
        for (name, value) in [("sub", claims.sub), ("jti", claims.jti)] {
            if let value, !Self.isPrintable(value) {
                throw .malformed("\(name) must be 1 to 128 printable ASCII characters")
            }
        }
        return StreamToken(
            stream: claims.stream, action: action, expiresAt: expiresAt, issuedAt: issuedAt, subject: claims.sub,
            tokenID: claims.jti)
    }

    private static func isPrintable(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && text.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// A NumericDate rounded down to whole seconds; `nil` when not finite or out of range.
    private static func whole(_ seconds: Double) -> Int64? {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return nil }
        return Int64(seconds.rounded(.down))
    }
}
