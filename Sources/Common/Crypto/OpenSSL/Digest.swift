import COpenSSL

/// One-shot message digests and HMACs over borrowed bytes (STUN integrity, TURN credentials,
/// certificate fingerprints). Results are fixed-size tuples copied into arrays only by callers
/// that want them.
public enum Digest {
    /// The digest algorithms Meshcast uses.
    public enum Algorithm: Sendable {
        case md5, sha1, sha256

        /// Output length in bytes.
        public var size: Int {
            switch self {
            case .md5: 16
            case .sha1: 20
            case .sha256: 32
            }
        }

        var evp: OpaquePointer? {
            switch self {
            case .md5: EVP_md5()
            case .sha1: EVP_sha1()
            case .sha256: EVP_sha256()
            }
        }
    }

    /// Writes the HMAC of `message` under `key` into `output`, which must hold `algorithm.size` bytes.
    public static func hmac(
        _ algorithm: Algorithm, key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) throws(OpenSSLError) {
        precondition(output.count >= algorithm.size, "HMAC output buffer too small")
        var length: UInt32 = 0
        let result = HMAC(
            algorithm.evp, key.baseAddress, Int32(key.count),
            message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
        guard result != nil, Int(length) == algorithm.size else { throw OpenSSLError.capture("HMAC") }
    }

    /// Writes the digest of `message` into `output`, which must hold `algorithm.size` bytes.
    public static func hash(
        _ algorithm: Algorithm, _ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(OpenSSLError) {
        precondition(output.count >= algorithm.size, "digest output buffer too small")
        var length: UInt32 = 0
        try OpenSSLError.check(
            EVP_Digest(
                message.baseAddress, message.count, output.baseAddress?.assumingMemoryBound(to: UInt8.self),
                &length, algorithm.evp, nil),
            "EVP_Digest")
    }

    /// The HMAC as a new array, for control-plane callers.
    public static func hmac(_ algorithm: Algorithm, key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.size)
        try key.withUnsafeBytes { key in
            try message.withUnsafeBytes { message in
                try output.withUnsafeMutableBytes { output in
                    try hmac(algorithm, key: key, message: message, into: output)
                }
            }
        }
        return output
    }

    /// The digest as a new array, for control-plane callers.
    public static func hash(_ algorithm: Algorithm, _ message: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.size)
        try message.withUnsafeBytes { message in
            try output.withUnsafeMutableBytes { output in
                try hash(algorithm, message, into: output)
            }
        }
        return output
    }
}
