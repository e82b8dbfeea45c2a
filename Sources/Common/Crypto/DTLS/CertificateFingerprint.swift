import COpenSSL

/// A certificate fingerprint as SDP's `a=fingerprint` attribute carries it (RFC 8122 §5):
/// a hash function name and the digest of the DER certificate, printed as colon-separated
/// upper-case hex pairs.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The hash function's SDP name, lower-case (`sha-256`).
    public let algorithm: String
    /// The digest of the DER-encoded certificate.
    public let digest: [UInt8]

    /// A fingerprint from its parts; `algorithm` is lower-cased as SDP compares it case-insensitively.
    public init(algorithm: String, digest: [UInt8]) {
        self.algorithm = algorithm.lowercased()
        self.digest = digest
    }

    /// Parses an `a=fingerprint` value such as `sha-256 AB:CD:...` (RFC 8122 §5); `nil` when the
    /// hash name is not one OpenSSL knows or the hex pairs are malformed.
    public init?(sdp: String) {
        let parts = sdp.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        var digest: [UInt8] = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.count == 2, pair.allSatisfy(\.isHexDigit), let byte = UInt8(pair, radix: 16) else { return nil }
            digest.append(byte)
        }
        self.init(algorithm: String(parts[0]), digest: digest)
        guard let digestType = messageDigest, Int(EVP_MD_get_size(digestType)) == digest.count else { return nil }
    }

    /// The `a=fingerprint` attribute value: `sha-256 AB:CD:...`.
    public var sdpValue: String {
        algorithm + " "
            + digest.map { byte in
                let text = String(byte, radix: 16, uppercase: true)
                return byte < 0x10 ? "0" + text : text
            }.joined(separator: ":")
    }

    /// A readable sentence naming the failure.
    public var description: String { sdpValue }

    /// OpenSSL's digest for the SDP hash name (RFC 8122 §5 names `sha-256`; OpenSSL says `SHA256`).
    var messageDigest: OpaquePointer? {
        EVP_get_digestbyname(String(algorithm.filter { $0 != "-" }))
    }

    /// The fingerprint of an OpenSSL `X509` under the same hash function as `self`.
    func sameAlgorithm(of certificate: OpaquePointer) throws(OpenSSLError) -> CertificateFingerprint {
        try Self.fingerprint(of: certificate, algorithm: algorithm, digestType: messageDigest)
    }

    /// The SHA-256 fingerprint of an OpenSSL `X509`, the hash WebRTC uses (RFC 8827 §6.5).
    static func sha256(of certificate: OpaquePointer) throws(OpenSSLError) -> CertificateFingerprint {
        try fingerprint(of: certificate, algorithm: "sha-256", digestType: EVP_sha256())
    }

    private static func fingerprint(
        of certificate: OpaquePointer, algorithm: String, digestType: OpaquePointer?
    ) throws(OpenSSLError) -> CertificateFingerprint {
        guard let digestType else { throw OpenSSLError(operation: "EVP_get_digestbyname(\(algorithm))", reasons: []) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        try OpenSSLError.check(X509_digest(certificate, digestType, &digest, &length), "X509_digest")
        return CertificateFingerprint(algorithm: algorithm, digest: Array(digest.prefix(Int(length))))
    }
}
