import MeshTURN
import MeshWire
import Testing

/// Issue 13's deny-list test through the server: in `open` mode CreatePermission and
/// ChannelBind to the first and last address of every denied range, and every IPv4 one in
/// every IPv6 encoding (mapped, compatible, NAT64 RFC 6052 §2.1, 6to4 RFC 3056 §2), answer 403;
/// in the default mode anything but the node's own media answers 403.
@Suite struct TURNDenyListTests {
    /// The IPv4 ranges as (first address, prefix length).
    static let deniedV4: [(UInt32, Int)] = [
        (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16),
        (0xAC10_0000, 12), (0xC000_0000, 24), (0xC000_0200, 24), (0xC058_6300, 24), (0xC0A8_0000, 16),
        (0xC612_0000, 15), (0xC633_6400, 24), (0xCB00_7100, 24), (0xE000_0000, 4), (0xF000_0000, 4),
    ]
    /// The IPv6 ranges as (first address's high and low 64 bits, prefix length).
    static let deniedV6: [(UInt64, UInt64, Int)] = [
        (0, 0, 128), (0, 1, 128), (0, 0x0000_FFFF_0000_0000, 96), (0, 0, 96), (0x0064_FF9B_0000_0000, 0, 96),
        (0x0064_FF9B_0001_0000, 0, 48), (0x0100_0000_0000_0000, 0, 64), (0x2001_0000_0000_0000, 0, 32),
        (0x2001_0DB8_0000_0000, 0, 32), (0x2002_0000_0000_0000, 0, 16), (0xFC00_0000_0000_0000, 0, 7),
        (0xFE80_0000_0000_0000, 0, 10), (0xFEC0_0000_0000_0000, 0, 10), (0xFF00_0000_0000_0000, 0, 8),
    ]

    /// The first and last address of each IPv4 range, in each of its five encodings.
    static var ipv4Peers: [STUNIPAddress] {
        deniedV4.flatMap { base, length in
            [base, base | (UInt32.max >> length)].flatMap { v4 -> [STUNIPAddress] in
                let value = UInt64(v4)
                return [
                    .v4(v4), .v6(high: 0, low: 0x0000_FFFF_0000_0000 | value), .v6(high: 0, low: value),
                    .v6(high: 0x0064_FF9B_0000_0000, low: value),
                    .v6(high: 0x2002_0000_0000_0000 | value << 16, low: 0),
                ]
            }
        }
    }

    /// The first and last address of each IPv6 range.
    static var ipv6Peers: [STUNIPAddress] {
        deniedV6.flatMap { high, low, length in
            let hostHigh = length >= 64 ? 0 : UInt64.max >> length
            let hostLow = length >= 128 ? 0 : length <= 64 ? UInt64.max : UInt64.max >> (length - 64)
            return [STUNIPAddress.v6(high: high, low: low), .v6(high: high | hostHigh, low: low | hostLow)]
        }
    }

    /// A harness with an allocation of `family` (relayed from 203.0.113.1 or 2001:db8::1).
    static func allocated(_ policy: TURNPeerPolicy, _ family: STUNAddressFamily) throws -> Harness {
        var harness = try Harness(policy: policy, ipv6: .v6(high: 0x2001_0DB8_0000_0000, low: 1))
        _ = try #require(try harness.allocate { try $0.appendRequestedAddressFamily(family) })
        return harness
    }

    /// The error codes of a CreatePermission and a ChannelBind to `peer`.
    static func answers(_ harness: inout Harness, _ peer: STUNTransportAddress) throws -> [Int?] {
        [
            try harness.errorCode(of: try TURNRelayTests.permission(harness, [peer])),
            try harness.errorCode(of: try TURNRelayTests.bind(harness, 0x4000, peer)),
        ]
    }

    @Test func openModeRefusesEveryDeniedRangeInEveryEncoding() throws {
        let policy = TURNPeerPolicy.open(OpenRelayRules())
        var v4 = try Self.allocated(policy, .ipv4)
        var v6 = try Self.allocated(policy, .ipv6)
        let peers = Self.ipv4Peers + Self.ipv6Peers
        #expect(peers.count == 15 * 2 * 5 + 14 * 2)
        for ip in peers {
            let peer = STUNTransportAddress(ip: ip, port: 9)
            if ip.family == .ipv4 {
                #expect(try Self.answers(&v4, peer) == [403, 403], "\(peer)")
            } else {
                #expect(try Self.answers(&v6, peer) == [403, 403], "\(peer)")
            }
        }
        // The same requests to public peers succeed: the 403s above are the deny list's.
        #expect(try Self.answers(&v4, Fixture.peer) == [nil, nil])
        let google = STUNTransportAddress(ip: .v6(high: 0x2A00_1450_4001_0000, low: 1), port: 9)
        #expect(try Self.answers(&v6, google) == [nil, nil])
    }

    @Test func defaultModeRefusesAllButOwnMedia() throws {
        var harness = try Self.allocated(.selfOnly([Fixture.media]), .ipv4)
        for ip in Self.ipv4Peers where ip.family == .ipv4 {
            #expect(try Self.answers(&harness, STUNTransportAddress(ip: ip, port: 5000)) == [403, 403], "\(ip)")
        }
        #expect(try Self.answers(&harness, Fixture.peer) == [403, 403])
        // The node's own IP on another port: a permission is per IP (RFC 8656 §9), but no
        // channel to that port, and no Send to it.
        let ownIPOtherPort = STUNTransportAddress(ip: Fixture.media.ip, port: 22)
        #expect(try Self.answers(&harness, ownIPOtherPort) == [nil, 403])
        #expect(harness.send(try TURNRelayTests.send(harness, to: ownIPOtherPort, [1])) == .drop(.forbiddenPeer))
        #expect(try Self.answers(&harness, Fixture.media) == [nil, nil])
    }
}
