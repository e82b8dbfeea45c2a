import MeshCrypto

/// Signs and checks internal API requests with the cluster secret, which itself never travels.
///
/// The header is `X-Meshcast-Signature: t=<unix seconds>,v=<hex HMAC-SHA256>` over
/// `"<METHOD>\n<path>\n<t>\n"` followed by the body bytes. The path is the request target as
/// sent on the wire, without a query. A signature is good for ``maxSkewSeconds`` either side of
/// the checker's clock, which bounds replays without needing shared state between nodes.
public struct InternalRequestSignature: Sendable {
    /// The header field that carries the signature.
    public static let headerName = "X-Meshcast-Signature"
    /// How far a signature's time may be from the checker's clock, in seconds.
    public static let maxSkewSeconds: Int64 = 60

    /// Why a request's signature was not accepted.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        /// No signature header.
        case missing
        /// The header is not `t=<digits>,v=<64 hex digits>`.
        case malformed(String)
        /// The time is further than ``InternalRequestSignature/maxSkewSeconds`` from now.
        case expired(skewSeconds: Int64)
        /// The HMAC does not match: another secret, or a changed method, path, time or body.
        case wrongSignature
        /// The HMAC could not be computed (OpenSSL failed).
        case unverifiable(String)

        /// The `reason` label of `meshcast_internal_rejected_total`.
        public var metricReason: String {
            switch self {
            case .missing: "missing_signature"
            case .malformed: "malformed_signature"
            case .expired: "expired_signature"
            case .wrongSignature: "wrong_signature"
            case .unverifiable: "unverifiable_signature"
            }
        }

        /// A sentence for the 401 body.
        public var description: String {
            switch self {
            case .missing: "missing \(InternalRequestSignature.headerName) header"
            case .malformed(let reason): "malformed \(InternalRequestSignature.headerName): \(reason)"
            case .expired(let skew):
                "\(InternalRequestSignature.headerName) time is \(skew) s from this node's clock "
                    + "(at most \(InternalRequestSignature.maxSkewSeconds) s allowed)"
            case .wrongSignature: "\(InternalRequestSignature.headerName) does not match the request and cluster secret"
            case .unverifiable(let reason): "the signature could not be checked: \(reason)"
            }
        }
    }

    private let secret: [UInt8]

    /// A signer and checker for `secret`.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The header value signing a request made at `now` (unix seconds).
    public func headerValue(method: String, path: String, body: [UInt8], now: Int64) throws(OpenSSLError) -> String {
        "t=\(now),v=" + Self.hex(try mac(method: method, path: path, time: now, body: body))
    }

    /// Returns normally when `header` signs this request and its time is within the allowed
    /// skew of `now` (unix seconds).
    public func check(_ header: String?, method: String, path: String, body: [UInt8], now: Int64)
        throws(Rejection)
    {
        guard let header else { throw .missing }
        let (time, claimed) = try Self.parse(header)
        let skew = now >= time ? now - time : time - now
        guard skew <= Self.maxSkewSeconds else { throw .expired(skewSeconds: skew) }
        let expected: [UInt8]
        do {
            expected = try mac(method: method, path: path, time: time, body: body)
        } catch {
            throw .unverifiable("\(error)")
        }
        guard Self.constantTimeEqual(expected, claimed) else { throw .wrongSignature }
    }

    private func mac(method: String, path: String, time: Int64, body: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        var message = Array("\(method)\n\(path)\n\(time)\n".utf8)
        message.append(contentsOf: body)
        var output = [UInt8](repeating: 0, count: Digest.Algorithm.sha256.size)
        // The buffer closures rethrow untyped errors, so the typed one travels out as a Result.
        let result = secret.withUnsafeBytes { key in
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

    /// `t=<digits>,v=<hex>` in either order; unknown keys are refused so that nothing is ignored silently.
    private static func parse(_ header: String) throws(Rejection) -> (time: Int64, mac: [UInt8]) {
        var time: Int64?
        var mac: [UInt8]?
        for part in header.split(separator: ",") {
            let pair = part.trimmingWhitespace().split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw .malformed("'\(part.prefix(40))' is not key=value") }
            switch pair[0] {
            case "t":
                guard time == nil, (1...18).contains(pair[1].count),
                    pair[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                    let value = Int64(pair[1])
                else { throw .malformed("t must appear once as unix seconds") }
                time = value
            case "v":
                guard mac == nil, let bytes = bytes(ofHex: pair[1]), bytes.count == Digest.Algorithm.sha256.size else {
                    throw .malformed("v must appear once as 64 hex digits")
                }
                mac = bytes
            default:
                throw .malformed("unknown key '\(pair[0].prefix(20))'")
            }
        }
        guard let time, let mac else { throw .malformed("needs both t= and v=") }
        return (time, mac)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func bytes(ofHex text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count.isMultiple(of: 2) else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }

    /// Compares every byte whatever the first difference, so the time taken says nothing about
    /// how much of a forged MAC was right.
    private static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
