import MeshCrypto

/// Signs and checks internal API requests with the cluster secret, which itself never travels.
///
/// The header is `X-Meshcast-Signature: t=<unix seconds>,n=<32 hex nonce>,v=<64 hex MAC>`, where
/// the MAC is HMAC-SHA256 (RFC 2104) under the cluster secret of
///
///     meshcast-internal-v2\n<METHOD>\n<target>\n<t>\n<n>\n<hex SHA-256 of the body>
///
/// and `<target>` is the request target exactly as sent: the path and, when there is one, `?`
/// and the query (`/internal/v1/links/l1/subscriptions?x=1`), so adding or changing a query
/// breaks the signature. A signature is good for ``maxSkewSeconds`` either side of the checker's
/// clock; within that window the checker remembers each accepted nonce (``InternalNonceMemory``)
/// and refuses a second use.
public struct InternalRequestSignature: Sendable {
    /// The header field that carries the signature.
    public static let headerName = "X-Meshcast-Signature"
    /// How far a signature's time may be from the checker's clock, in seconds.
    public static let maxSkewSeconds: Int64 = 60
    /// The first line of the signed string: names the scheme, so that no other message signed
    /// with the cluster secret (or the earlier, query-blind scheme) can pass for a request.
    static let label = "meshcast-internal-v2"

    /// What a good signature vouches for, besides the request it was checked against.
    public struct Stamp: Sendable, Equatable {
        /// The signer's clock, unix seconds.
        public let time: Int64
        /// The signer's nonce.
        public let nonce: InternalRequestNonce
    }

    private let secret: [UInt8]

    /// A signer and checker for `secret`.
    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// The header value signing a request for `target` (path and query, exactly as it will be
    /// sent) made at `now` (unix seconds), with a fresh nonce unless one is given.
    public func headerValue(
        method: String, target: String, body: [UInt8], now: Int64, nonce: InternalRequestNonce = .random()
    ) throws(OpenSSLError) -> String {
        let mac = try self.mac(method: method, target: target, time: now, nonce: nonce, body: body)
        return "t=\(now),n=\(nonce),v=" + InternalSignatureHeader.hex(mac)
    }

    /// Returns what `header` vouches for when it signs this request and its time is within the
    /// allowed skew of `now` (unix seconds). It does not remember the nonce: the caller does
    /// (``InternalNonceMemory``), after this check, so that forged requests never fill it.
    @discardableResult
    public func check(_ header: String?, method: String, target: String, body: [UInt8], now: Int64)
        throws(Rejection) -> Stamp
    {
        guard let header else { throw .missing }
        let parsed = try InternalSignatureHeader(parsing: header)
        let skew = now >= parsed.time ? now - parsed.time : parsed.time - now
        guard skew <= Self.maxSkewSeconds else { throw .expired(skewSeconds: skew) }
        let expected: [UInt8]
        do {
            expected = try mac(method: method, target: target, time: parsed.time, nonce: parsed.nonce, body: body)
        } catch {
            throw .unverifiable("\(error)")
        }
        guard InternalSignatureHeader.constantTimeEqual(expected, parsed.mac) else { throw .wrongSignature }
        return Stamp(time: parsed.time, nonce: parsed.nonce)
    }

    /// The signed string (see the type's comment) as bytes.
    static func signedString(
        method: String, target: String, time: Int64, nonce: InternalRequestNonce, bodyDigest: [UInt8]
    ) -> [UInt8] {
        let lines = [label, method, target, String(time), nonce.description, InternalSignatureHeader.hex(bodyDigest)]
        return Array(lines.joined(separator: "\n").utf8)
    }

    private func mac(method: String, target: String, time: Int64, nonce: InternalRequestNonce, body: [UInt8])
        throws(OpenSSLError) -> [UInt8]
    {
        var digest = [UInt8](repeating: 0, count: Digest.Algorithm.sha256.size)
        var output = [UInt8](repeating: 0, count: Digest.Algorithm.sha256.size)
        // The buffer closures rethrow untyped errors, so the typed one travels out as a Result.
        try body.withUnsafeBytes { body in
            digest.withUnsafeMutableBytes { digest in
                Result { () throws(OpenSSLError) in try Digest.hash(.sha256, body, into: digest) }
            }
        }.get()
        let message = Self.signedString(method: method, target: target, time: time, nonce: nonce, bodyDigest: digest)
        try secret.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                output.withUnsafeMutableBytes { output in
                    Result { () throws(OpenSSLError) in
                        try Digest.hmac(.sha256, key: key, message: message, into: output)
                    }
                }
            }
        }.get()
        return output
    }
}
