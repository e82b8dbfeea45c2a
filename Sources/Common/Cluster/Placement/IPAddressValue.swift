/// An IPv4 or IPv6 address as one 128-bit integer, parsed from text without the C resolver.
///
/// IPv4 addresses live in the IPv4-mapped range `::ffff:0:0/96` (RFC 4291 §2.5.5.2), so a
/// client that reaches a dual-stack socket as `::ffff:10.1.2.3` matches the same CIDR blocks
/// as `10.1.2.3`.
public struct IPAddressValue: Sendable, Hashable, CustomStringConvertible {
    /// The high 64 bits of the address.
    public var high: UInt64
    /// The low 64 bits of the address.
    public var low: UInt64

    /// Creates an address from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Whether the address is IPv4 (stored IPv4-mapped).
    public var isIPv4: Bool { high == 0 && (low >> 32) == 0xffff }

    /// Parses `192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1`, `fe80::1%eth0` (the zone is
    /// ignored), `[2001:db8::1]`, `[2001:db8::1]:443` and `192.0.2.1:443`; `nil` otherwise.
    public init?(text: some StringProtocol) {
        var body = Substring(text)
        while body.first == " " { body.removeFirst() }
        while body.last == " " { body.removeLast() }
        if body.first == "[" {
            guard let close = body.firstIndex(of: "]") else { return nil }
            let after = body[body.index(after: close)...]
            guard after.isEmpty || (after.first == ":" && after.dropFirst().allSatisfy(\.isNumber)) else {
                return nil
            }
            body = body[body.index(after: body.startIndex)..<close]
        } else if let colon = body.firstIndex(of: ":"), body.lastIndex(of: ":") == colon, body.contains(".") {
            // `a.b.c.d:port`, which some proxies write into X-Forwarded-For.
            let port = body[body.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            body = body[..<colon]
        }
        if let percent = body.firstIndex(of: "%") { body = body[..<percent] }
        if let v4 = Self.parseIPv4(body) {
            self.init(high: 0, low: 0xffff_0000_0000 | UInt64(v4))
        } else if let v6 = Self.parseIPv6(body) {
            self.init(high: v6.high, low: v6.low)
        } else {
            return nil
        }
    }

    /// Four decimal octets, each 0-255 without leading zeros beyond a lone `0`.
    static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                !(part.utf8.count > 1 && part.utf8.first == 48), let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// Eight 16-bit hex groups, one `::` run of zeros allowed, an IPv4 tail allowed (RFC 4291 §2.2).
    static func parseIPv6(_ text: Substring) -> (high: UInt64, low: UInt64)? {
        guard text.contains(":") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, into output: inout [UInt16], ipv4Allowed: Bool) -> Bool {
            if part.isEmpty { return true }
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, ipv4Allowed, field.contains(".") {
                    guard let v4 = parseIPv4(field) else { return false }
                    output.append(UInt16(v4 >> 16))
                    output.append(UInt16(v4 & 0xffff))
                    return true
                }
                guard (1...4).contains(field.utf8.count), let group = UInt16(field, radix: 16) else { return false }
                output.append(group)
            }
            return true
        }
        if halves.count == 2 {
            guard groups(halves[0], into: &head, ipv4Allowed: false),
                groups(halves[1], into: &tail, ipv4Allowed: true), head.count + tail.count <= 7
            else { return nil }
        } else {
            guard groups(halves[0], into: &head, ipv4Allowed: true), head.count == 8 else { return nil }
        }
        let all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in all[0..<4] { high = high << 16 | UInt64(group) }
        for group in all[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    /// The address with every bit after the first `prefixLength` cleared.
    func masked(toLeading prefixLength: Int) -> IPAddressValue {
        let bits = max(0, min(128, prefixLength))
        let highMask: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : ~(UInt64.max >> UInt64(bits)))
        let lowBits = bits - 64
        let lowMask: UInt64 = lowBits >= 64 ? .max : (lowBits <= 0 ? 0 : ~(UInt64.max >> UInt64(lowBits)))
        return IPAddressValue(high: high & highMask, low: low & lowMask)
    }

    /// Dotted quad for IPv4, full hex groups for IPv6 (no zero compression; for messages only).
    public var description: String {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: low)
            return "\(v4 >> 24).\((v4 >> 16) & 0xff).\((v4 >> 8) & 0xff).\(v4 & 0xff)"
        }
        var groups: [String] = []
        for half in [high, low] {
            for shift: UInt64 in [48, 32, 16, 0] {
                groups.append(String((half >> shift) & 0xffff, radix: 16))
            }
        }
        return groups.joined(separator: ":")
    }
}

/// A CIDR block in integer form: the masked network and the prefix length over 128 bits.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network address with host bits cleared.
    public let network: IPAddressValue
    /// The prefix length over the 128-bit form (an IPv4 `/16` is `/112` here).
    public let prefixLength: Int
    /// The block as written.
    public let text: String

    /// Parses `address/length`; IPv4 lengths are 0-32, IPv6 lengths 0-128. `nil` when malformed.
    public init?(text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddressValue(text: parts[0]), let length = Int(parts[1]) else {
            return nil
        }
        let ipv4Written = IPAddressValue.parseIPv4(parts[0]) != nil
        guard length >= 0, length <= (ipv4Written ? 32 : 128) else { return nil }
        let full = ipv4Written ? length + 96 : length
        self.network = address.masked(toLeading: full)
        self.prefixLength = full
        self.text = text
    }

    /// Converts a validated topology block.
    public init?(_ block: CIDRBlock) {
        self.init(text: block.description)
    }

    /// Whether the address falls inside the block.
    public func contains(_ address: IPAddressValue) -> Bool {
        address.masked(toLeading: prefixLength) == network
    }

    /// The block as written.
    public var description: String { text }
}
