import MeshWire

/// Turns every IPv6 form that carries an IPv4 address back into that IPv4 address, so a deny
/// or allow rule written for IPv4 cannot be walked around by spelling the address in IPv6.
///
/// The forms: IPv4-mapped `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), IPv4-compatible `::a.b.c.d`
/// (RFC 4291 §2.5.5.1, deprecated but still routed by some stacks), the NAT64 well-known prefix
/// `64:ff9b::/96` (RFC 6052 §2.1), 6to4 `2002:aabb:ccdd::/48` (RFC 3056 §2) and Teredo
/// `2001:0::/32`, whose client address is the last 32 bits inverted (RFC 4380 §4). The
/// local-use NAT64 prefix `64:ff9b:1::/48` (RFC 8215) places the IPv4 address wherever its
/// operator chose, so it cannot be unwrapped; the deny list refuses it whole.
public enum IPv4Embedding {
    /// `ip` with any embedded IPv4 address taken out; other addresses are returned unchanged.
    /// `::` and `::1` stay IPv6: they are the unspecified and loopback addresses, not
    /// IPv4-compatible ones.
    public static func normalize(_ ip: STUNIPAddress) -> STUNIPAddress {
        guard case let .v6(high, low) = ip else { return ip }
        let low32 = UInt32(truncatingIfNeeded: low)
        let lowTop = low >> 32
        if high == 0, lowTop == 0xFFFF { return .v4(low32) }
        if high == 0, lowTop == 0, low > 1 { return .v4(low32) }
        if high == 0x0064_FF9B_0000_0000, lowTop == 0 { return .v4(low32) }
        if high >> 48 == 0x2002 { return .v4(UInt32(truncatingIfNeeded: high >> 16)) }
        if high >> 32 == 0x2001_0000 { return .v4(~low32) }
        return ip
    }
}
