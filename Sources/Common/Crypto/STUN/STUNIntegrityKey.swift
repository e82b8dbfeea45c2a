/// The key STUN message integrity is computed with (RFC 8489 §9.1.1, §9.2.2).
///
/// Keys are derived once per credential (control plane) and then borrowed for every
/// message, so holding them in an array costs nothing per packet.
///
/// Neither SASLprep (RFC 4013) nor the OpaqueString profile (RFC 8265) that RFC 8489 asks for
/// is applied: callers pass strings already in their prepared form. ICE usernames and
/// passwords are ASCII (RFC 8839 §5.4), for which preparation changes nothing.
public struct STUNIntegrityKey: Sendable, Equatable {
    /// The key bytes.
    public let bytes: [UInt8]

    /// A key from raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The short-term credential key: the password itself (RFC 8489 §9.1.1). ICE uses it with
    /// the remote ufrag/password pair (RFC 8445 §7.2.2).
    public static func shortTerm(password: String) -> STUNIntegrityKey {
        STUNIntegrityKey(bytes: Array(password.utf8))
    }

    /// The long-term credential key (RFC 8489 §9.2.2): MD5 of `username:realm:password` for
    /// PASSWORD-ALGORITHM MD5 (and when none was negotiated), SHA-256 of the same for SHA-256.
    public static func longTerm(
        username: String, realm: String, password: String, algorithm: STUNPasswordHash = .md5
    ) throws -> STUNIntegrityKey {
        let input = Array("\(username):\(realm):\(password)".utf8)
        switch algorithm {
        case .md5: return STUNIntegrityKey(bytes: try Digest.hash(.md5, input))
        case .sha256: return STUNIntegrityKey(bytes: try Digest.hash(.sha256, input))
        }
    }

    /// The USERHASH value for a long-term credential: SHA-256 of `username:realm` (RFC 8489 §14.4).
    public static func userHash(username: String, realm: String) throws -> [UInt8] {
        try Digest.hash(.sha256, Array("\(username):\(realm)".utf8))
    }
}

/// The PASSWORD-ALGORITHM values that derive a long-term key (RFC 8489 §18.5); the raw value
/// is the number carried in PASSWORD-ALGORITHM, so `init(rawValue:)` fails on any other.
public enum STUNPasswordHash: UInt16, Sendable {
    /// MD5, the default when no algorithm was negotiated.
    case md5 = 0x0001
    /// SHA-256.
    case sha256 = 0x0002
}
