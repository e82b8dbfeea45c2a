import COpenSSL

/// An HMAC over two borrowed pieces, for verifying STUN integrity without first copying the
/// message into one buffer: the 20-byte adjusted header lives on the stack and the rest is
/// read where it arrived. Uses OpenSSL 3's EVP_MAC, the non-deprecated streaming interface.
enum STUNStreamingHMAC {
    /// The HMAC implementation, fetched once per process (fetching is a provider look-up).
    private nonisolated(unsafe) static let mac: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)
    /// The name of the HMAC's digest parameter (`OSSL_MAC_PARAM_DIGEST`).
    private static let digestParameter: StaticString = "digest"

    /// Writes HMAC(key, first ‖ second) into `output`; returns OpenSSL's status (1 on success)
    /// so that the caller turns failures into ``OpenSSLError`` in one place.
    static func compute(
        _ algorithm: Digest.Algorithm, key: UnsafeRawBufferPointer,
        parts first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int32 {
        guard output.count >= algorithm.size, let context = EVP_MAC_CTX_new(mac) else { return 0 }
        defer { EVP_MAC_CTX_free(context) }
        let name: StaticString = algorithm == .sha1 ? "SHA1" : algorithm == .sha256 ? "SHA256" : "MD5"
        // OpenSSL reads the digest name during EVP_MAC_init only, so a pointer into the
        // static string is enough; the parameter API merely lacks `const` on it.
        let digestName = UnsafeMutableRawPointer(mutating: name.utf8Start).assumingMemoryBound(to: CChar.self)
        // The parameter keeps a pointer to its key until EVP_MAC_init, so the key must be
        // static too: a String literal converted at the call would be a temporary (small
        // strings live inline), leaving a dangling key that made some verifications fail.
        let digestKey = UnsafeRawPointer(Self.digestParameter.utf8Start).assumingMemoryBound(to: CChar.self)
        var parameters = (
            OSSL_PARAM_construct_utf8_string(digestKey, digestName, 0),
            OSSL_PARAM_construct_end()
        )
        // A zero-length key still needs a non-NULL pointer for EVP_MAC_init to accept it.
        var emptyKey: UInt8 = 0
        let initialized = withUnsafeMutablePointer(to: &parameters) { tuple in
            tuple.withMemoryRebound(to: OSSL_PARAM.self, capacity: 2) { parameters in
                withUnsafePointer(to: &emptyKey) { emptyKey in
                    EVP_MAC_init(
                        context, key.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? emptyKey, key.count,
                        parameters)
                }
            }
        }
        guard initialized == 1,
            update(context, first) == 1,
            update(context, second) == 1
        else { return 0 }
        var written = 0
        return EVP_MAC_final(
            context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written, output.count)
    }

    private static func update(_ context: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 1 }
        return EVP_MAC_update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
}
