import MeshTURN
import MeshWire
import Testing

/// The peer policy: self-only by default, `open` with the issue 13 deny list after turning
/// IPv4-in-IPv6 forms back into IPv4, explicit allow-lists, control-plane ports.
@Suite struct TURNPeerPolicyTests {
    static func ip(_ text: String) -> STUNIPAddress {
        IPAddressText.parse(text) ?? .v4(0xFFFF_FFFF)
    }

    @Test func parsesAddressesAndPrefixes() {
        #expect(IPAddressText.parse("192.0.2.1") == .v4(0xC000_0201))
        #expect(IPAddressText.parse("::") == .v6(high: 0, low: 0))
        #expect(IPAddressText.parse("::1") == .v6(high: 0, low: 1))
        #expect(
            IPAddressText.parse("2001:db8::8:800:200c:417a")
                == .v6(high: 0x2001_0DB8_0000_0000, low: 0x0008_0800_200C_417A))
        #expect(IPAddressText.parse("::ffff:127.0.0.1") == .v6(high: 0, low: 0xFFFF_7F00_0001))
        #expect(IPAddressText.parse("fe80::") == .v6(high: 0xFE80_0000_0000_0000, low: 0))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", ":::", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7:8:9"] {
            #expect(IPAddressText.parse(bad) == nil, "\(bad)")
        }
        #expect(IPPrefix("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(IPPrefix("fc00::/7")?.contains(Self.ip("fd12::1")) == true)
        #expect(IPPrefix("fc00::/7")?.contains(Self.ip("fe00::1")) == false)
        #expect(IPPrefix("10.0.0.0/33") == nil)
        #expect(IPPrefix("::/129") == nil)
        #expect(IPPrefix("0.0.0.0/0")?.contains(Self.ip("1.2.3.4")) == true)
        #expect(IPPrefix("0.0.0.0/0")?.contains(Self.ip("::1")) == false)
    }

    /// RFC 4291 §2.5.5, RFC 6052 §2.1, RFC 3056 §2, RFC 4380 §4: each form unwraps to 127.0.0.1.
    @Test(arguments: [
        "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2001:0:4136:e378:8000:63bf:80ff:fffe",
    ])
    func embeddedIPv4Unwraps(text: String) {
        #expect(IPv4Embedding.normalize(Self.ip(text)) == .v4(0x7F00_0001))
    }

    @Test func unspecifiedAndLoopbackStayIPv6() {
        #expect(IPv4Embedding.normalize(Self.ip("::")) == Self.ip("::"))
        #expect(IPv4Embedding.normalize(Self.ip("::1")) == Self.ip("::1"))
        #expect(IPv4Embedding.normalize(Self.ip("2a00:1450::1")) == Self.ip("2a00:1450::1"))
    }

    /// Issue 13: every denied range, including the first and last address of each, and every
    /// encoding of loopback, is refused in open mode.
    @Test func openModeDeniesEverySpecialRange() {
        let rules = OpenRelayRules()
        let denied = [
            "0.0.0.0", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.255", "127.0.0.1", "169.254.1.1",
            "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1",
            "198.19.255.255", "198.51.100.1", "203.0.113.9", "224.0.0.1", "239.255.255.255", "240.0.0.1",
            "255.255.255.255", "::", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::",
            "::ffff:10.0.0.1", "64:ff9b:1::1", "100::1", "2001::1", "2001:db8::1", "2002::1", "fc00::1", "fdff::1",
            "fe80::1", "fec0::1", "ff02::1",
        ]
        for text in denied {
            #expect(!rules.permits(ip: Self.ip(text)), "\(text) must be denied")
            #expect(!TURNPeerPolicy.open(rules).permits(peer: STUNTransportAddress(ip: Self.ip(text), port: 9)))
        }
        for text in ["8.8.8.8", "100.128.0.1", "172.32.0.1", "2a00:1450:4001::1"] {
            #expect(rules.permits(ip: Self.ip(text)), "\(text) must be allowed")
        }
        // The transition ranges are refused whole, even when the IPv4 address inside is public:
        // mapped, NAT64, 6to4 and Teredo (2001:0:4136:e378:8000:63bf:f7f7:f7f7 carries 8.8.8.8).
        for text in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7"] {
            #expect(!rules.permits(ip: Self.ip(text)), "\(text) must be denied")
        }
    }

    /// An allow-list opens a denied range, in every encoding, but never a control-plane port.
    @Test func allowListAndControlPorts() throws {
        let loopback = try #require(IPPrefix("127.0.0.0/8"))
        let rules = OpenRelayRules(allow: [loopback], deniedPorts: [8080])
        for text in ["127.0.0.1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"] {
            #expect(rules.permits(peer: STUNTransportAddress(ip: Self.ip(text), port: 5000)), "\(text)")
            #expect(!rules.permits(peer: STUNTransportAddress(ip: Self.ip(text), port: 8080)), "\(text):8080")
        }
        #expect(!rules.permits(ip: Self.ip("10.0.0.1")))
        let pinned = OpenRelayRules(deniedPeers: [STUNTransportAddress(ip: Self.ip("8.8.8.8"), port: 53)])
        #expect(!pinned.permits(peer: STUNTransportAddress(ip: Self.ip("::ffff:8.8.8.8"), port: 53)))
        #expect(pinned.permits(peer: STUNTransportAddress(ip: Self.ip("8.8.8.8"), port: 54)))
        #expect(TURNPeerPolicy.open(rules).summary.contains("127.0.0.0/8"))
    }

    /// Self-only: permissions by IP of an own media address, relaying by exact transport address.
    @Test func selfOnlyPermitsOnlyOwnMedia() {
        let policy = TURNPeerPolicy.selfOnly([Fixture.media])
        #expect(policy.permits(ip: Fixture.media.ip))
        #expect(policy.permits(peer: Fixture.media))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: Fixture.media.ip, port: 22)))
        #expect(!policy.permits(ip: Fixture.peer.ip))
        #expect(!policy.permits(peer: Fixture.peer))
    }
}
