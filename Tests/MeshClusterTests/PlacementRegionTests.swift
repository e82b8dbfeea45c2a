import Testing

@testable import MeshCluster

/// Client address → region: longest-prefix match over the topology's CIDR blocks, the proxy
/// header only from trusted proxies, the explicit `region` parameter first.
@Suite struct PlacementRegionTests {
    static let topology = PlacementSyntheticTopology.make()

    /// The synthetic topology plus a region holding a more specific block inside r03's /16.
    static func withSpecificBlock() -> Topology {
        var topology = topology
        topology.regions.append(
            Region(name: "r03-south", cidrs: [CIDRBlock(address: "10.3.128.0", prefixLength: 17)]))
        return topology
    }

    @Test func ipv4AddressMapsToItsRegion() {
        let resolver = RegionResolver(topology: Self.topology)
        let decision = resolver.resolve(ClientRequest(peerAddress: "10.27.4.5"))
        #expect(decision.region == "r27")
        #expect(decision.source == .peerAddress)
    }

    @Test func ipv6AddressMapsToItsRegion() {
        let resolver = RegionResolver(topology: Self.topology)
        #expect(resolver.resolve(ClientRequest(peerAddress: "2001:db8:41:ff::7")).region == "r41")
        #expect(resolver.resolve(ClientRequest(peerAddress: "[2001:db8:5::1]:443")).region == "r05")
    }

    @Test func ipv4MappedIPv6MatchesTheIPv4Block() {
        // RFC 4291 §2.5.5.2: ::ffff:a.b.c.d is the IPv4 address on a dual-stack socket.
        let resolver = RegionResolver(topology: Self.topology)
        #expect(resolver.resolve(ClientRequest(peerAddress: "::ffff:10.12.0.1")).region == "r12")
    }

    @Test func longestPrefixWins() {
        let resolver = RegionResolver(topology: Self.withSpecificBlock())
        #expect(resolver.resolve(ClientRequest(peerAddress: "10.3.200.1")).region == "r03-south")
        #expect(resolver.resolve(ClientRequest(peerAddress: "10.3.127.255")).region == "r03")
    }

    @Test func unknownAddressHasNoRegionAndSaysWhy() throws {
        let resolver = RegionResolver(topology: Self.topology)
        let outside = resolver.resolve(ClientRequest(peerAddress: "192.0.2.1"))
        #expect(outside.region == nil)
        #expect(try #require(outside.reason).contains("192.0.2.1"))
        let garbage = resolver.resolve(ClientRequest(peerAddress: "10.1.2"))
        #expect(garbage.region == nil)
        #expect(try #require(garbage.reason).contains("not an IP address"))
    }

    @Test func proxyHeaderIgnoredFromUntrustedPeer() {
        let resolver = RegionResolver(topology: Self.topology)
        let decision = resolver.resolve(ClientRequest(peerAddress: "10.1.0.9", forwardedFor: "10.40.0.1"))
        #expect(decision.region == "r01")
        #expect(decision.source == .peerAddress)
        #expect(decision.steps.contains { $0.contains("not a trusted proxy") })
    }

    @Test func proxyHeaderFirstAddressHonouredFromTrustedProxy() throws {
        let proxies = [try #require(IPNetwork(text: "10.1.0.0/24"))]
        let resolver = RegionResolver(topology: Self.topology, trustedProxies: proxies)
        let decision = resolver.resolve(
            ClientRequest(peerAddress: "10.1.0.9", forwardedFor: "10.40.0.1, 10.1.0.200"))
        #expect(decision.region == "r40")
        #expect(decision.source == .forwardedFor)
        // A peer outside the trusted block is still not believed.
        let other = resolver.resolve(ClientRequest(peerAddress: "10.1.1.9", forwardedFor: "10.40.0.1"))
        #expect(other.region == "r01")
    }

    @Test func explicitRegionParameterWinsWhenValid() {
        let resolver = RegionResolver(topology: Self.topology)
        let valid = resolver.resolve(ClientRequest(peerAddress: "10.1.0.9", regionParameter: "r33"))
        #expect(valid.region == "r33")
        #expect(valid.source == .parameter)
        let invalid = resolver.resolve(ClientRequest(peerAddress: "10.1.0.9", regionParameter: "mars"))
        #expect(invalid.region == "r01")
        #expect(invalid.steps.first?.contains("no such region") == true)
    }

    @Test func addressParserRejectsMalformedTextWithoutTrapping() {
        let bad = [
            "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", ":::", "1::2::3", "12345::",
            "g::1", "1:2:3:4:5:6:7:8:9", "[::1", "::1]", "1.2.3.4:x", "::ffff:1.2.3", "1:2:3:4:5:6:7:1.2.3.4",
        ]
        for text in bad { #expect(IPAddressValue(text: text) == nil, "\(text)") }
        #expect(IPAddressValue(text: "::")?.description == "0:0:0:0:0:0:0:0")
        // RFC 4291 §2.2 form 3: six hex groups, then an IPv4 tail filling the last 32 bits.
        #expect(IPAddressValue(text: "1:2:3:4:5:6:1.2.3.4")?.low == 0x0005_0006_0102_0304)
        #expect(IPAddressValue(text: "1:2:3:4:5:6:1.2.3.4")?.high == 0x0001_0002_0003_0004)
        #expect(IPAddressValue(text: "192.0.2.1:8080")?.description == "192.0.2.1")
        #expect(IPAddressValue(text: "fe80::1%eth0")?.high == 0xfe80_0000_0000_0000)
        #expect(IPNetwork(text: "10.0.0.0/33") == nil)
        #expect(IPNetwork(text: "2001:db8::/129") == nil)
    }
}
