import CMeshShims
import COpenSSL

/// HMAC-SHA1 truncated to the SRTP tag length (RFC 3711 §4.2.1), keyed once per session key.
///
/// Wraps `CMeshShims_HMACSHA1`, whose inner and outer SHA-1 states are hashed at init and copied
/// by value per packet: OpenSSL 3.0's EVP_MAC and HMAC_CTX reuse both allocate on every packet
/// (measured: 11, 4 or 2 allocations; see `CMeshShims_hmac.h`).
final class HMACSHA1Authenticator {
    /// SHA-1's output, of which SRTP keeps the first `tagLength` octets.
    static let digestLength = 20

    /// Octets of the tag on the wire: 10 for HMAC_SHA1_80, 4 for HMAC_SHA1_32.
    let tagLength: Int
    private let key: OpaquePointer
    /// The full 20-byte MAC of the packet being checked or tagged.
    private let digest: UnsafeMutableRawPointer

    /// An authenticator for the 20-byte session authentication key (RFC 3711 §8.2: n_a = 160).
    init(key: [UInt8], tagLength: Int) throws(SRTPError) {
        guard key.count == Self.digestLength, (4...Self.digestLength).contains(tagLength) else {
            throw .badParameter
        }
        guard let made = CMeshShims_HMACSHA1_new(key, key.count) else {
            _ = OpenSSLError.capture("CMeshShims_HMACSHA1_new")
            throw .initFailed
        }
        self.key = made
        self.tagLength = tagLength
        digest = .allocate(byteCount: Self.digestLength, alignment: 8)
    }

    deinit {
        CMeshShims_HMACSHA1_free(key)
        digest.deallocate()
    }

    /// Writes the tag of `message ‖ suffix` to `tag` (`tagLength` bytes).
    func sign(_ message: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer, tag: UnsafeMutableRawPointer)
        throws(SRTPError)
    {
        try computeDigest(message, suffix: suffix)
        tag.copyMemory(from: digest, byteCount: tagLength)
    }

    /// Throws ``SRTPError/authFail`` unless `tag` is the tag of `message ‖ suffix`; compared in
    /// constant time (`CRYPTO_memcmp`), so a forger learns nothing from how long it took.
    func verify(_ message: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer, tag: UnsafeRawPointer)
        throws(SRTPError)
    {
        try computeDigest(message, suffix: suffix)
        guard CRYPTO_memcmp(digest, tag, tagLength) == 0 else { throw .authFail }
    }

    private func computeDigest(_ message: UnsafeRawBufferPointer, suffix: UnsafeRawBufferPointer) throws(SRTPError) {
        let status = CMeshShims_HMACSHA1_mac(
            key, message.baseAddress, message.count, suffix.baseAddress, suffix.count,
            digest.assumingMemoryBound(to: UInt8.self))
        guard status == 1 else {
            _ = OpenSSLError.capture("HMAC-SHA1")
            throw .cipherFail
        }
    }
}
