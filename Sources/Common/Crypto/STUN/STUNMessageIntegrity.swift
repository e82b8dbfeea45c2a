import COpenSSL

/// Computing and checking STUN MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and
/// MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6).
///
/// MeshCrypto does not depend on MeshWire, so these work on the byte ranges MeshWire hands
/// out: `STUNMessage.integrityInput(_:)` gives the adjusted header, the body and the carried
/// MAC of a received message; `STUNMessageBuilder.reserveIntegrity(_:length:)` gives the
/// contiguous input and the MAC field of an outgoing one. A layer that sees both modules
/// joins them in one line (see the Wire README).
public enum STUNMessageIntegrity {
    /// Whether `mac` is the HMAC of `header ‖ body` under `key`, compared in constant time.
    /// A MAC shorter than the digest is a truncated HMAC-SHA256 and is compared on its
    /// leading bytes (RFC 8489 §14.6). `header` is the 20-byte header with the length field
    /// adjusted, `body` the bytes between it and the integrity attribute.
    public static func verify(
        _ algorithm: Digest.Algorithm, key: STUNIntegrityKey,
        header: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, mac: UnsafeRawBufferPointer
    ) throws(OpenSSLError) -> Bool {
        var computed: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let status = withUnsafeMutableBytes(of: &computed) { output in
            key.bytes.withUnsafeBytes { key in
                STUNStreamingHMAC.compute(algorithm, key: key, parts: header, body, into: output)
            }
        }
        try OpenSSLError.check(status, "HMAC for STUN message integrity")
        guard !mac.isEmpty, mac.count <= algorithm.size else { return false }
        return withUnsafeBytes(of: &computed) { computed in
            CRYPTO_memcmp(computed.baseAddress, mac.baseAddress, mac.count) == 0
        }
    }

    /// Writes the HMAC of `input` under `key` into `mac`, truncated to `mac.count` bytes.
    /// The input of an outgoing message is contiguous (the builder already set the length
    /// field), so the one-shot `Digest.hmac` does the work.
    public static func sign(
        _ algorithm: Digest.Algorithm, key: STUNIntegrityKey,
        input: UnsafeRawBufferPointer, mac: UnsafeMutableRawBufferPointer
    ) throws(OpenSSLError) {
        precondition(mac.count <= algorithm.size, "MAC field longer than the HMAC")
        var computed: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var failure: OpenSSLError?
        withUnsafeMutableBytes(of: &computed) { output in
            key.bytes.withUnsafeBytes { key in
                do throws(OpenSSLError) { try Digest.hmac(algorithm, key: key, message: input, into: output) } catch {
                    failure = error
                }
            }
            mac.copyMemory(from: UnsafeRawBufferPointer(rebasing: output[..<mac.count]))
        }
        if let failure { throw failure }
    }
}
