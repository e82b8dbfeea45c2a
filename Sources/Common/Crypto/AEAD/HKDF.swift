/// HKDF with HMAC-SHA256 (RFC 5869): turns a secret that is not itself a key of the right size
/// and purpose (the cluster secret) into independent keys, one per `info` label.
///
/// Built on ``Digest/hmac(_:key:message:into:)`` so that every OpenSSL call still goes through
/// ``OpenSSLError``; two HMACs per 32 bytes of output, which the control plane can afford.
public enum HKDF {
    /// SHA-256's output length, HKDF's `HashLen` (RFC 5869 §2.1).
    static let hashLength = Digest.Algorithm.sha256.size
    /// The most output one derivation may ask for: 255 · HashLen (RFC 5869 §2.3).
    public static let maximumOutputLength = 255 * hashLength

    /// `HKDF-Expand(HKDF-Extract(salt, inputKey), info, length)` with SHA-256. An empty `salt`
    /// stands for HashLen zero bytes, as RFC 5869 §2.2 says.
    public static func sha256(inputKey: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws(OpenSSLError)
        -> [UInt8]
    {
        precondition((0...maximumOutputLength).contains(length), "HKDF output length out of range (RFC 5869 §2.3)")
        let pseudorandomKey = try extract(salt: salt, inputKey: inputKey)
        return try expand(pseudorandomKey: pseudorandomKey, info: info, length: length)
    }

    /// RFC 5869 §2.2: `PRK = HMAC-Hash(salt, IKM)`.
    static func extract(salt: [UInt8], inputKey: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        try hmac(key: salt.isEmpty ? [UInt8](repeating: 0, count: hashLength) : salt, message: inputKey)
    }

    /// RFC 5869 §2.3: `T(i) = HMAC-Hash(PRK, T(i-1) | info | i)`, concatenated and cut to `length`.
    static func expand(pseudorandomKey: [UInt8], info: [UInt8], length: Int) throws(OpenSSLError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(length + hashLength)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = try hmac(key: pseudorandomKey, message: block + info + [counter])
            output += block
            counter &+= 1
        }
        return Array(output.prefix(length))
    }

    private static func hmac(key: [UInt8], message: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hashLength)
        // The buffer closures rethrow untyped errors, so the typed one travels out as a Result.
        let result = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                output.withUnsafeMutableBytes { output in
                    Result { () throws(OpenSSLError) in
                        try Digest.hmac(.sha256, key: key, message: message, into: output)
                    }
                }
            }
        }
        try result.get()
        return output
    }
}
