/// An IP address as STUN carries it: 4 or 16 bytes held in integers, big-endian.
public enum STUNIPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address; `0xC0000201` is 192.0.2.1.
    case v4(UInt32)
    /// An IPv6 address: bytes 0-7 and bytes 8-15.
    case v6(high: UInt64, low: UInt64)

    /// The STUN address family code (RFC 8489 §14.1).
    public var family: STUNAddressFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    public var description: String {
        switch self {
        case let .v4(address):
            return "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
        case let .v6(high, low):
            // RFC 5952 text form: lowercase, no leading zeros, longest run of zero groups as "::".
            let groups = (0..<8).map { index -> UInt16 in
                let word = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: word >> (48 - 16 * (index % 4)))
            }
            var bestStart = -1
            var bestLength = 1
            var index = 0
            while index < 8 {
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength { (bestStart, bestLength) = (index, end - index) }
                index = max(end, index + 1)
            }
            let text = groups.map { String($0, radix: 16) }
            guard bestStart >= 0 else { return text.joined(separator: ":") }
            let head = text[..<bestStart].joined(separator: ":")
            let tail = text[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        }
    }
}

/// The address family codes of STUN and TURN address attributes (RFC 8489 §14.1, RFC 8656 §18.6).
public struct STUNAddressFamily: RawRepresentable, Hashable, Sendable {
    /// The family code byte.
    public let rawValue: UInt8
    /// A family from its code byte.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// IPv4 (0x01).
    public static let ipv4 = STUNAddressFamily(rawValue: 0x01)
    /// IPv6 (0x02).
    public static let ipv6 = STUNAddressFamily(rawValue: 0x02)
}

/// An IP address and port, as carried by MAPPED-ADDRESS, ALTERNATE-SERVER and the XOR
/// address attributes (RFC 8489 §14.1, §14.2; RFC 8656 §18.3, §18.5).
public struct STUNTransportAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IP address.
    public var ip: STUNIPAddress
    /// The port.
    public var port: UInt16

    /// An address from its parts.
    public init(ip: STUNIPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var description: String {
        switch ip {
        case .v4: "\(ip):\(port)"
        case .v6: "[\(ip)]:\(port)"
        }
    }

    /// Decodes the plain MAPPED-ADDRESS layout: 0, family, port, address (RFC 8489 §14.1).
    public init(mapped attribute: STUNAttribute) throws(STUNError) {
        self = try Self.decode(attribute, portMask: 0, mask: (0, 0, 0))
    }

    /// Decodes the XOR-MAPPED-ADDRESS layout (also XOR-PEER-ADDRESS, XOR-RELAYED-ADDRESS):
    /// the port is XORed with the cookie's top half, an IPv4 address with the cookie, and an
    /// IPv6 address with the cookie followed by the transaction ID (RFC 8489 §14.2).
    public init(xor attribute: STUNAttribute, transactionID: STUNTransactionID) throws(STUNError) {
        self = try Self.decode(attribute, portMask: Self.xorPortMask, mask: Self.xorMask(transactionID))
    }

    /// Bytes of value the attribute needs for this address.
    public var encodedLength: Int {
        switch ip {
        case .v4: 8
        case .v6: 20
        }
    }

    /// Writes the MAPPED-ADDRESS value layout (RFC 8489 §14.1).
    public func writeMapped(into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try write(into: &writer, portMask: 0, mask: (0, 0, 0))
    }

    /// Writes the XOR-MAPPED-ADDRESS value layout (RFC 8489 §14.2).
    public func writeXOR(into writer: inout ByteWriter, transactionID: STUNTransactionID) throws(ByteWriter.Overflow) {
        try write(into: &writer, portMask: Self.xorPortMask, mask: Self.xorMask(transactionID))
    }

    /// The 16 most significant bits of the magic cookie, which XOR the port.
    private static let xorPortMask = UInt16(truncatingIfNeeded: STUNMessage.magicCookie >> 16)

    /// The masks for an IPv4 address, and for the two halves of an IPv6 address.
    private static func xorMask(_ transactionID: STUNTransactionID) -> (UInt32, UInt64, UInt64) {
        let cookie = STUNMessage.magicCookie
        return (cookie, UInt64(cookie) << 32 | UInt64(transactionID.high), transactionID.low)
    }

    private static func decode(
        _ attribute: STUNAttribute, portMask: UInt16, mask: (UInt32, UInt64, UInt64)
    ) throws(STUNError) -> STUNTransportAddress {
        var reader = attribute.reader
        guard reader.skip(1), let familyCode = reader.readUInt8(), let port = reader.readUInt16() else {
            throw .invalidAttributeLength(type: attribute.type.rawValue, length: attribute.value.count)
        }
        let family = STUNAddressFamily(rawValue: familyCode)
        let ip: STUNIPAddress
        switch family {
        case .ipv4:
            try attribute.requireLength(8)
            guard let address = reader.readUInt32() else {
                throw .attributeOverrunsMessage(type: attribute.type.rawValue)
            }
            ip = .v4(address ^ mask.0)
        case .ipv6:
            try attribute.requireLength(20)
            guard let high = reader.readUInt64(), let low = reader.readUInt64() else {
                throw .attributeOverrunsMessage(type: attribute.type.rawValue)
            }
            ip = .v6(high: high ^ mask.1, low: low ^ mask.2)
        default:
            throw .unknownAddressFamily(familyCode)
        }
        return STUNTransportAddress(ip: ip, port: port ^ portMask)
    }

    private func write(
        into writer: inout ByteWriter, portMask: UInt16, mask: (UInt32, UInt64, UInt64)
    ) throws(ByteWriter.Overflow) {
        guard writer.remaining >= encodedLength else {
            throw ByteWriter.Overflow(needed: encodedLength, available: writer.remaining)
        }
        try writer.write(UInt8(0))
        try writer.write(ip.family.rawValue)
        try writer.write(port ^ portMask)
        switch ip {
        case let .v4(address):
            try writer.write(address ^ mask.0)
        case let .v6(high, low):
            try writer.write(high ^ mask.1)
            try writer.write(low ^ mask.2)
        }
    }
}
