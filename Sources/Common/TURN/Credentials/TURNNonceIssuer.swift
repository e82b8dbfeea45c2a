import MeshCrypto
import MeshWire

/// Stateless, time-limited NONCE values for the long-term credential mechanism
/// (RFC 8489 §9.2, RFC 8656 §7.2).
///
/// A nonce is `EEEEEEEE` (its expiry, Unix seconds in 8 hex digits) followed by 16 base64url
/// characters: the first 12 bytes of HMAC-SHA256(key, expiry ‖ client IP ‖ client port). The
/// server therefore remembers nothing about a client before its request authenticates, yet a
/// nonce is bound to the address it was issued to and cannot be extended by the client. The
/// key is random per process, so a restart invalidates outstanding nonces (clients get 438 and
/// retry once).
public struct TURNNonceIssuer: Sendable {
    /// How a received nonce checks out.
    public enum Validity: Equatable, Sendable {
        /// Issued by this server to this address and not yet expired.
        case fresh
        /// Issued by this server to this address, but expired: answer 438 (RFC 8489 §9.2.4).
        case stale
        /// Not one this server issued to this address (forged, another process's, another
        /// client's): also 438, which hands the client a fresh one.
        case unknown
    }

    /// Length of every nonce this issuer writes.
    public static let length = 24
    private static let macBytes = 12

    private let key: [UInt8]
    /// How long a nonce stays fresh.
    public let lifetimeSeconds: Int64

    /// An issuer with a random key.
    public init(lifetimeSeconds: Int64 = 600) {
        var generator = SystemRandomNumberGenerator()
        self.init(
            key: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) },
            lifetimeSeconds: lifetimeSeconds)
    }

    /// An issuer with a given key (tests; several processes sharing nonces).
    public init(key: [UInt8], lifetimeSeconds: Int64 = 600) {
        self.key = key
        self.lifetimeSeconds = lifetimeSeconds
    }

    /// A nonce for `client`, valid from `now` for ``lifetimeSeconds``.
    public func issue(for client: STUNTransportAddress, now: TURNInstant) -> [UInt8] {
        let expiry = UInt32(truncatingIfNeeded: now.seconds &+ lifetimeSeconds)
        var nonce = Array(hex(expiry).utf8)
        nonce += Array(Base64URL.encode(mac(expiry: expiry, client: client)).utf8)
        return nonce
    }

    /// Whether `nonce` is one this issuer gave `client` and is still fresh at `now`.
    public func check(_ nonce: UnsafeRawBufferPointer, client: STUNTransportAddress, now: TURNInstant) -> Validity {
        guard nonce.count == Self.length else { return .unknown }
        var expiry: UInt32 = 0
        for byte in nonce[0..<8] {
            guard let digit = hexValue(byte) else { return .unknown }
            expiry = expiry << 4 | UInt32(digit)
        }
        guard let carried = Base64URL.decode(String(decoding: nonce[8...], as: UTF8.self)),
            carried.count == Self.macBytes
        else { return .unknown }
        let expected = mac(expiry: expiry, client: client)
        guard expected.count == Self.macBytes else { return .unknown }
        // Constant-time comparison: an attacker must not learn how many bytes matched.
        var difference: UInt8 = 0
        for (lhs, rhs) in zip(carried, expected) { difference |= lhs ^ rhs }
        guard difference == 0 else { return .unknown }
        return Int64(expiry) > now.seconds ? .fresh : .stale
    }

    private func mac(expiry: UInt32, client: STUNTransportAddress) -> [UInt8] {
        var input = [UInt8]()
        input.reserveCapacity(22)
        input += withUnsafeBytes(of: expiry.bigEndian, Array.init)
        switch client.ip {
        case let .v4(address): input += withUnsafeBytes(of: address.bigEndian, Array.init)
        case let .v6(high, low):
            input += withUnsafeBytes(of: high.bigEndian, Array.init)
            input += withUnsafeBytes(of: low.bigEndian, Array.init)
        }
        input += withUnsafeBytes(of: client.port.bigEndian, Array.init)
        // HMAC over a few stack-sized bytes cannot fail short of OpenSSL being broken; an
        // empty MAC then matches nothing, so every nonce is refused rather than accepted.
        let full = (try? Digest.hmac(.sha256, key: key, message: input)) ?? []
        return Array(full.prefix(Self.macBytes))
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
