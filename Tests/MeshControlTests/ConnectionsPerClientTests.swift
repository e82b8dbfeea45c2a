import MeshCluster
import Testing

@testable import MeshControl

/// The per-address connection cap leaves the topology's trusted proxies alone: every client
/// behind a reverse proxy shares its address.
@Suite struct ConnectionsPerClientTests {
    @Test func trustedProxiesAreNotCappedOtherAddressesAre() throws {
        let proxies = [try #require(IPNetwork(text: "10.0.0.0/8"))]
        let connections = ConnectionsPerClient(limit: 2, uncapped: proxies)
        for _ in 0..<5 { #expect(connections.opened("10.1.2.3") == .accepted) }
        #expect(connections.opened("203.0.113.9") == .accepted)
        #expect(connections.opened("203.0.113.9") == .accepted)
        #expect(connections.opened("203.0.113.9") == .refused(firstSinceUnderCap: true))
        #expect(connections.opened("203.0.113.9") == .refused(firstSinceUnderCap: false))
        connections.closed("203.0.113.9")
        #expect(connections.opened("203.0.113.9") == .accepted)
    }
}
