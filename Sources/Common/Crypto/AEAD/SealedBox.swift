/// An AES-GCM sealed box as it travels: `nonce (12) ‖ ciphertext ‖ tag (16)`, RFC 5116 §5.1's
/// ciphertext (`C ‖ T`) with the nonce carried in front, as its §3.2 allows.
///
/// ``init(combined:)`` is the parser for bytes from the network: any byte string is either a
/// box (whose tag is checked only when opened) or an ``AEADError/malformed(_:)``, never a trap.
public struct SealedBox: Sendable, Hashable {
    /// GCM's native nonce length, 96 bits (RFC 5116 §5.1: `N_MIN = N_MAX = 12`).
    public static let nonceLength = 12
    /// The full 128-bit tag (RFC 5116 §5.1); truncated tags are not accepted.
    public static let tagLength = 16

    /// The per-seal random nonce.
    public let nonce: [UInt8]
    /// The encrypted plaintext, as long as the plaintext.
    public let ciphertext: [UInt8]
    /// The authentication tag over the associated data and the ciphertext.
    public let tag: [UInt8]

    /// A box from its parts, as ``AES256GCMKey/seal(_:associatedData:)`` makes it.
    init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
        self.nonce = nonce
        self.ciphertext = ciphertext
        self.tag = tag
    }

    /// Splits `nonce ‖ ciphertext ‖ tag`; refuses anything shorter than a nonce and a tag.
    public init(combined bytes: some Collection<UInt8>) throws(AEADError) {
        let bytes = Array(bytes)
        guard bytes.count >= Self.nonceLength + Self.tagLength else {
            throw .malformed(
                "\(bytes.count) bytes, less than a \(Self.nonceLength)-byte nonce and a \(Self.tagLength)-byte tag")
        }
        nonce = Array(bytes[..<Self.nonceLength])
        ciphertext = Array(bytes[Self.nonceLength..<(bytes.count - Self.tagLength)])
        tag = Array(bytes[(bytes.count - Self.tagLength)...])
    }

    /// `nonce ‖ ciphertext ‖ tag`.
    public var combined: [UInt8] { nonce + ciphertext + tag }
}
