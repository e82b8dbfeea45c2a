/// `a=fingerprint`: the hash of the DTLS certificate the peer will present (RFC 8122 §5).
///
/// `a=fingerprint:sha-256 AB:CD:…` gives the hash function and the digest bytes.
public struct Fingerprint: Hashable, Sendable {
    /// The hash function as written, such as `sha-256` (compare case-insensitively).
    public var hashFunction: String
    /// The digest bytes.
    public var digest: [UInt8]

    /// A fingerprint from its hash function name and digest.
    public init(hashFunction: String, digest: [UInt8]) {
        self.hashFunction = hashFunction
        self.digest = digest
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 2 else {
            throw SDPValueError("a=fingerprint needs '<hash function> <hex bytes>' (RFC 8122 §5)")
        }
        hashFunction = String(parts[0])
        digest = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.utf8.count == 2, let byte = UInt8(pair, radix: 16) else {
                throw SDPValueError("a=fingerprint byte '\(pair)' is not two hex digits (RFC 8122 §5)")
            }
            digest.append(byte)
        }
    }

    /// The digest as upper-case hex pairs joined by colons, as RFC 8122 §5 writes it.
    public var hexDigest: String {
        let digits = Array("0123456789ABCDEF")
        return digest.map { String([digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]]) }.joined(separator: ":")
    }

    var attributeValue: String { "\(hashFunction) \(hexDigest)" }
}
