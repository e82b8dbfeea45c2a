import MeshWire

/// An IP prefix in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): an address and how many
/// leading bits of it count. Parsed from operator text (allow-lists) and used for the deny list.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    /// The address; bits past ``length`` are cleared.
    public let address: STUNIPAddress
    /// Leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    public let length: Int

    /// A prefix from an address and a length; bits past the length are cleared.
    public init?(_ address: STUNIPAddress, length: Int) {
        switch address {
        case let .v4(value):
            guard (0...32).contains(length) else { return nil }
            self.address = .v4(length == 0 ? 0 : value & ~UInt32(0) << (32 - length))
        case let .v6(high, low):
            guard (0...128).contains(length) else { return nil }
            let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : ~UInt64(0) << (64 - length))
            let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? .max : ~UInt64(0) << (128 - length))
            self.address = .v6(high: high & highMask, low: low & lowMask)
        }
        self.length = length
    }

    /// Parses `10.0.0.0/8`, `fc00::/7`, or a bare address (a /32 or /128).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddressText.parse(String(parts[0])) else { return nil }
        let full = address.family == .ipv4 ? 32 : 128
        if parts.count == 2 {
            guard let length = Int(parts[1]), parts[1].allSatisfy(\.isASCII) else { return nil }
            self.init(address, length: length)
        } else {
            self.init(address, length: full)
        }
    }

    /// Whether `ip` lies in this prefix; an IPv4 address is never in an IPv6 prefix.
    public func contains(_ ip: STUNIPAddress) -> Bool {
        switch (address, ip) {
        case let (.v4(prefix), .v4(value)):
            return length == 0 || value & ~UInt32(0) << (32 - length) == prefix
        case (.v6, .v6):
            return IPPrefix(ip, length: length)?.address == address
        default:
            return false
        }
    }

    public var description: String { "\(address)/\(length)" }
}

/// Parses IP address text: dotted IPv4 (RFC 791 style, four decimal parts) and IPv6 (RFC 4291
/// §2.2, with `::` and a trailing dotted IPv4 part).
public enum IPAddressText {
    /// The address `text` spells, or `nil`.
    public static func parse(_ text: String) -> STUNIPAddress? {
        if let v4 = parseV4(Substring(text)) { return .v4(v4) }
        return parseV6(text)
    }

    static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let byte = UInt8(part)
            else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func parseV6(_ text: String) -> STUNIPAddress? {
        let halves = splitOnDoubleColon(Array(text.utf8))
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + Array(repeating: 0, count: halves.count == 2 ? missing : 0) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, group) in all.enumerated() {
            if index < 4 { high = high << 16 | UInt64(group) } else { low = low << 16 | UInt64(group) }
        }
        return .v6(high: high, low: low)
    }

    /// `text` cut at each `::`.
    private static func splitOnDoubleColon(_ text: [UInt8]) -> [String] {
        var halves: [String] = []
        var start = 0
        var index = 0
        while index + 1 < text.count {
            if text[index] == UInt8(ascii: ":"), text[index + 1] == UInt8(ascii: ":") {
                halves.append(String(decoding: text[start..<index], as: UTF8.self))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        halves.append(String(decoding: text[start...], as: UTF8.self))
        return halves
    }

    /// The 16-bit groups of one side of `::`; a dotted IPv4 part counts as two groups.
    private static func groups(_ text: String) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains("."), let v4 = parseV4(part) {
                result += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16)
            else { return nil }
            result.append(group)
        }
        return result.count <= 8 ? result : nil
    }
}
