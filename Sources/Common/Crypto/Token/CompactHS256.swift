import COpenSSL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JWS compact serialization (RFC 7515 §3.1, §7.1) with HMAC-SHA256 (`HS256`, RFC 7518 §3.2),
/// the only algorithm Meshcast signs or accepts. It knows nothing of stream claims.
public enum CompactHS256 {
    /// The longest token accepted, so that a hostile `Authorization` header costs little.
    public static let maximumTokenLength = 4096

    /// Signs `header.payload` (both JSON, as bytes) and returns `header.payload.signature`.
    public static func sign(header: [UInt8], payload: [UInt8], secret: [UInt8]) throws(OpenSSLError) -> String {
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try hmacSHA256(Array(signingInput.utf8), secret: secret)
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Checks the header's algorithm and the signature (RFC 7515 §5.2), then returns the payload bytes.
    public static func verifiedPayload(_ token: String, secret: [UInt8]) throws(TokenError) -> [UInt8] {
        try verifiedPayload(token) { _ throws(TokenError) in secret }.payload
    }

    /// As ``verifiedPayload(_:secret:)``, with the secret chosen by the header's `kid`
    /// (RFC 7515 §4.1.4; `nil` when absent) through `key`, which throws for a kid it does not
    /// know. Returns the payload and the kid.
    public static func verifiedPayload(
        _ token: String, key: (String?) throws(TokenError) -> [UInt8]
    ) throws(TokenError) -> (payload: [UInt8], kid: String?) {
        guard token.utf8.count <= maximumTokenLength else {
            throw .malformed("longer than \(maximumTokenLength) bytes")
        }
        let parts = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed(
                "a JWS compact serialization has 3 dot-separated parts (RFC 7515 §7.1), not \(parts.count)")
        }
        guard let headerBytes = Base64URL.decode(Substring(parts[0])) else {
            throw .malformed("header is not base64url (RFC 7515 §2)")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch {
            throw .malformed("header is not a JSON object with a string alg and kid (RFC 7515 §4.1.1, §4.1.4)")
        }
        guard header.alg == "HS256" else { throw .unsupportedAlgorithm(header.alg) }
        // RFC 7515 §4.1.11: extensions listed in crit must be understood, and we understand none.
        if let critical = header.crit {
            throw .unsupportedAlgorithm("HS256 with crit \(critical.joined(separator: ","))")
        }
        let secret = try key(header.kid)
        guard let signature = Base64URL.decode(Substring(parts[2])), signature.count == Digest.Algorithm.sha256.size
        else { throw .badSignature }
        let signingInput = Array(token.utf8[parts[0].startIndex..<parts[1].endIndex])
        let expected: [UInt8]
        do {
            expected = try hmacSHA256(signingInput, secret: secret)
        } catch {
            throw .badSignature
        }
        let equal = expected.withUnsafeBytes { expected in
            signature.withUnsafeBytes { signature in
                // Constant time, so that response timing does not reveal how many leading bytes matched.
                CRYPTO_memcmp(expected.baseAddress, signature.baseAddress, expected.count) == 0
            }
        }
        guard equal else { throw .badSignature }
        guard let payload = Base64URL.decode(Substring(parts[1])) else {
            throw .malformed("payload is not base64url (RFC 7515 §2)")
        }
        return (payload, header.kid)
    }

    private struct Header: Decodable {
        var alg: String
        var crit: [String]?
        var kid: String?
    }

    private static func hmacSHA256(_ message: [UInt8], secret: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Digest.Algorithm.sha256.size)
        // A non-empty key buffer, so that OpenSSL never sees a null key pointer.
        let key = secret.isEmpty ? [0] : secret
        let keyLength = secret.count
        // Array's buffer accessors only rethrow untyped errors, so the OpenSSL error travels out in a Result.
        let outcome: Result<Void, OpenSSLError> = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                output.withUnsafeMutableBytes { output in
                    Result { () throws(OpenSSLError) in
                        try Digest.hmac(
                            .sha256, key: UnsafeRawBufferPointer(rebasing: key[0..<keyLength]), message: message,
                            into: output)
                    }
                }
            }
        }
        try outcome.get()
        return output
    }
}
