import MeshCrypto

/// Turns a request's USERNAME into the long-term keys it may be signed with (RFC 8489 §9.2.2:
/// key = MD5(username ":" realm ":" password)), one per accepted secret so that a secret can
/// be rotated without cutting off the credentials the old one minted.
///
/// Runs once per authenticated request (control path), never per relayed packet.
public struct TURNCredentialVerifier: Sendable {
    /// The accepted secrets, newest first.
    public let secrets: [TURNSecret]
    /// The REALM this server announces and derives keys with.
    public let realm: String

    /// A verifier for `secrets` in `realm`.
    public init(secrets: [TURNSecret], realm: String) {
        self.secrets = secrets
        self.realm = realm
    }

    /// The expiry a REST username carries: the decimal digits before the first `:` (or the
    /// whole username when it has none, as coturn accepts).
    public static func expiry(of username: UnsafeRawBufferPointer) throws(TURNCredentialError) -> TURNInstant {
        var seconds: Int64 = 0
        var digits = 0
        for byte in username {
            if byte == UInt8(ascii: ":") { break }
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 12 else {
                throw .malformedUsername
            }
            seconds = seconds &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0 else { throw .malformedUsername }
        return TURNInstant(seconds: seconds)
    }

    /// The candidate keys for `username` at `now`, one per secret.
    public func keys(username: UnsafeRawBufferPointer, now: TURNInstant) throws -> [STUNIntegrityKey] {
        guard !secrets.isEmpty else { throw TURNCredentialError.noSecret }
        let expiry = try Self.expiry(of: username)
        guard now < expiry else { throw TURNCredentialError.expired }
        let name = String(decoding: username, as: UTF8.self)
        return try secrets.map { secret in
            let password = try TURNRESTCredential.password(secret: secret, username: name)
            return try STUNIntegrityKey.longTerm(username: name, realm: realm, password: password)
        }
    }
}
