#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The body of `POST /v1/tokens/revoke`: `{"jti": "<token id>", "exp": <NumericDate>}`. `exp`
/// is how long the revocation is kept (the token's own `exp`, as `meshcast token revoke`
/// sends it when given the token); without it, ``defaultKeepSeconds`` from now, the longest
/// `meshcast token` mints.
public struct RevocationRequest: Sendable, Equatable, Codable {
    /// The token id to revoke.
    public var jti: String
    /// Until when (seconds since 1970) to keep the revocation, if the caller knows.
    public var exp: Int64?

    /// 30 days: the longest lifetime `meshcast token` gives a revocable token.
    public static let defaultKeepSeconds: Int64 = 30 * 24 * 3600

    /// Creates a request.
    public init(jti: String, exp: Int64? = nil) {
        self.jti = jti
        self.exp = exp
    }

    /// Why a body is refused.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        /// A sentence for the 400 body.
        public let description: String
    }

    /// Parses and checks a body: a JSON object with a `jti` of 1 to 128 printable ASCII
    /// characters (as the token verifier accepts them) and, optionally, an integer `exp`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Malformed) -> RevocationRequest {
        let request: RevocationRequest
        do {
            request = try JSONDecoder().decode(RevocationRequest.self, from: Data(bytes))
        } catch {
            throw Malformed(description: #"body must be JSON {"jti": "<token id>", "exp": <seconds since 1970>}"#)
        }
        guard (1...128).contains(request.jti.utf8.count), request.jti.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { throw Malformed(description: "jti must be 1 to 128 printable ASCII characters") }
        return request
    }

    /// When the revocation may be forgotten: `exp`, or ``defaultKeepSeconds`` after `now`.
    public func keepUntil(now: Int64) -> Int64 {
        exp ?? now + Self.defaultKeepSeconds
    }
}
