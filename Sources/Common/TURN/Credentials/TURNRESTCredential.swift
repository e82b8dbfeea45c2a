import MeshCrypto

/// A TURN REST credential (draft-uberti-behave-turn-rest-00 §2.2, the convention coturn's
/// `use-auth-secret` and every WebRTC stack speak): `username = expiry:id`, where `expiry` is
/// a Unix time in seconds, and `password = base64(HMAC-SHA1(secret, username))`.
///
/// The server keeps no user table: it recomputes the password from the username and the shared
/// secret, and refuses the username once its expiry has passed.
public struct TURNRESTCredential: Sendable, Equatable {
    /// `expiry:id`.
    public let username: String
    /// The base64 HMAC-SHA1 of `username` under the secret.
    public let password: String

    /// Mints a credential for `id` that expires at `expiry` (whole seconds are used).
    ///
    /// `id` must not contain `:`, which separates it from the expiry; callers pass a session
    /// identifier or a random token.
    public init(secret: TURNSecret, id: String, expiry: TURNInstant) throws {
        guard !id.utf8.contains(UInt8(ascii: ":")) else { throw TURNCredentialError.malformedUsername }
        let username = "\(expiry.seconds):\(id)"
        self.username = username
        self.password = try Self.password(secret: secret, username: username)
    }

    /// The password for `username` under `secret`.
    public static func password(secret: TURNSecret, username: String) throws -> String {
        Base64.encode(try Digest.hmac(.sha1, key: secret.bytes, message: Array(username.utf8)))
    }
}

/// A shared TURN secret. Its bytes are the UTF-8 of the text the operator set, as coturn's
/// `static-auth-secret` is used.
public struct TURNSecret: Sendable, Equatable, CustomStringConvertible {
    /// The key bytes.
    public let bytes: [UInt8]

    /// A secret from its text form.
    public init(_ text: String) { bytes = Array(text.utf8) }

    /// The secrets in a comma-separated list (rotation: the new secret first, the old one
    /// still accepted until every credential it minted has expired); blanks are skipped.
    public static func list(_ text: String) -> [TURNSecret] {
        text.split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }.map(TURNSecret.init)
    }

    /// Never the secret itself, so a log line cannot leak it.
    public var description: String { "TURNSecret(\(bytes.count) bytes)" }
}

/// Why a REST username was refused.
public enum TURNCredentialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not `expiry` or `expiry:id` with a decimal expiry.
    case malformedUsername
    /// The expiry has passed.
    case expired
    /// No secret is configured, so no credential can be valid.
    case noSecret

    public var description: String {
        switch self {
        case .malformedUsername: "TURN REST username is not expiry:id (draft-uberti-behave-turn-rest §2.2)"
        case .expired: "TURN REST username has expired"
        case .noSecret: "no TURN secret is configured"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
