import MeshTURN
import MeshWire
import Testing

/// A draining node sends new allocations elsewhere: 300 Try Alternate with ALTERNATE-SERVER
/// (RFC 8489 §10 and §14.15, RFC 8656 §7.2), signed, after authentication; allocations already
/// made keep being served; the alternate is of the client's family and never loopback for a
/// remote client.
@Suite struct TURNAlternateServerTests {
    static let alternate = STUNTransportAddress(ip: .v4(0xCB00_7102), port: 3478)  // 203.0.113.2

    @Test func newAllocationsGetTryAlternate() throws {
        var harness = try Harness()
        let before = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        let relayed = try #require(harness.send(before).bytes.map { try harness.parse($0).relayed })
        harness.server.alternates = TURNAlternates(fallback: Self.alternate)

        // Unauthenticated: still the 401 challenge, so nothing is learned without a key.
        let unsigned = try harness.request(.allocate, sign: false) { try $0.appendRequestedTransport() }
        #expect(try harness.errorCode(of: unsigned) == 401)

        // Another client's Allocate: 300, signed, with the alternate as ALTERNATE-SERVER.
        harness.client = STUNTransportAddress(ip: .v4(0xC633_6408), port: 40001)
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        let reply = try #require(
            harness.send(try harness.request(.allocate) { try $0.appendRequestedTransport() }).bytes)
        let response = try harness.parse(reply)
        #expect(response.errorCode == 300)
        #expect(response.integrityValid)
        #expect(try reply.withUnsafeBytes { try STUNMessage(parsing: $0).alternateServer } == Self.alternate)
        #expect(harness.server.allocationCount == 1)

        // The allocation made before the drain is served: Refresh and its retransmitted Allocate.
        harness.client = Fixture.client
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(try harness.errorCode(of: try harness.request(.refresh)) == nil)
        #expect(try harness.send(before).bytes.map { try harness.parse($0).relayed } == relayed)

        // Back to normal: a new client allocates here.
        harness.server.alternates = nil
        harness.client = STUNTransportAddress(ip: .v4(0xC633_6408), port: 40001)
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(try harness.allocate() != nil)
    }

    /// No redirect across families or to loopback for a remote client: the Allocate is served.
    @Test(arguments: [
        STUNTransportAddress(ip: .v6(high: 0x2001_0DB8_0000_0000, low: 2), port: 3478),
        STUNTransportAddress(ip: .v4(0x7F00_0001), port: 3478),
    ])
    func unreachableAlternatesAreNotNamed(alternate: STUNTransportAddress) throws {
        var harness = try Harness()
        harness.server.alternates = TURNAlternates(fallback: alternate)
        #expect(try harness.allocate() != nil)
    }

    /// A session live on this node keeps allocating here while it drains (in the default mode
    /// no other node may relay to this node's media); another credential is sent to the
    /// alternate; once the session ends, its credential is refused.
    @Test func sessionsHereAreServedWhileDraining() throws {
        var harness = try Harness()
        let id = String(try #require(harness.username.split(separator: ":").last))
        harness.server.sessionStarted(credentialID: id, now: harness.now)
        harness.server.alternates = TURNAlternates(fallback: Self.alternate)
        #expect(try harness.allocate() != nil)

        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        let other = try TURNRESTCredential(
            secret: Fixture.secret, id: "other", expiry: Fixture.start.adding(seconds: 60))
        let reply = try harness.request(.allocate, username: other.username, password: other.password) {
            try $0.appendRequestedTransport()
        }
        #expect(try harness.errorCode(of: reply) == 300)

        harness.server.removeAllocations(credentialID: id, now: harness.now)
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport() }) == 401)
    }

    /// A loopback client (one machine, the interop tests) may be sent to a loopback alternate.
    @Test func loopbackClientMayGoToLoopback() throws {
        var harness = try Harness()
        harness.client = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40000)
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        harness.server.alternates = TURNAlternates(fallback: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 3479))
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport() }) == 300)
    }

    /// A client in a listed block goes to its block's alternate (the longest block holding it),
    /// any other client to the fallback; with no fallback, it is served here.
    @Test func eachClientGoesToTheAlternateOfItsBlock() throws {
        let regionB = STUNTransportAddress(ip: .v4(0xCB00_7104), port: 3480)  // 203.0.113.4
        let narrow = STUNTransportAddress(ip: .v4(0xCB00_7105), port: 3481)  // 203.0.113.5
        let blocks = [
            TURNAlternates.Block(prefix: try #require(IPPrefix("198.51.0.0/16")), alternate: regionB),
            TURNAlternates.Block(prefix: try #require(IPPrefix("198.51.100.0/24")), alternate: narrow),
        ]
        func answer(from client: STUNTransportAddress, _ alternates: TURNAlternates) throws -> STUNTransportAddress? {
            var harness = try Harness()
            harness.client = client
            harness.nonce = harness.nonces.issue(for: client, now: harness.now)
            harness.server.alternates = alternates
            let reply = try #require(
                harness.send(try harness.request(.allocate) { try $0.appendRequestedTransport() }).bytes)
            return try reply.withUnsafeBytes { try STUNMessage(parsing: $0).alternateServer }
        }
        let inB = STUNTransportAddress(ip: .v4(0xC633_0A01), port: 40000)  // 198.51.10.1
        let inNarrow = STUNTransportAddress(ip: .v4(0xC633_6408), port: 40000)  // 198.51.100.8
        let elsewhere = STUNTransportAddress(ip: .v4(0xC000_0201), port: 40000)  // 192.0.2.1
        let withFallback = TURNAlternates(blocks: blocks, fallback: Self.alternate)
        #expect(try answer(from: inB, withFallback) == regionB)
        #expect(try answer(from: inNarrow, withFallback) == narrow)
        #expect(try answer(from: elsewhere, withFallback) == Self.alternate)
        #expect(try answer(from: elsewhere, TURNAlternates(blocks: blocks, fallback: nil)) == nil)
    }
}
