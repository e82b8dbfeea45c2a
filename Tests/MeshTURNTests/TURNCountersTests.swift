import MeshTURN
import MeshWire
import Testing

/// The counters behind `/metrics` (issue 13, operations), fed the server's real outputs: a
/// 401 challenge, a 438 for a nonce issued to another address, a 200 Allocate, a 403
/// CreatePermission, a relayed Send and a peer's answer, and a drop.
@Suite struct TURNCountersTests {
    /// Hands `bytes` to the harness's server and counts the answer as the relay does.
    static func counted(
        _ harness: inout Harness, _ counters: inout TURNCounters, _ bytes: [UInt8],
        transport: TURNClientTransport = .udp
    ) {
        let (client, now) = (harness.client, harness.now)
        bytes.withUnsafeBytes { input in
            harness.output.withUnsafeMutableBytes { output in
                let answer = harness.server.receive(input, from: client, transport: transport, now: now, into: output)
                counters.count(answer, output: output)
            }
        }
    }

    @Test func countsWhatTheServerAnswers() throws {
        var harness = try Harness(policy: .open(OpenRelayRules()))
        var counters = TURNCounters()
        // RFC 8489 §9.2.4: no MESSAGE-INTEGRITY → 401; a nonce issued to another address → 438.
        Self.counted(
            &harness, &counters, try harness.request(.allocate, sign: false) { try $0.appendRequestedTransport() })
        let foreign = harness.nonces.issue(for: Fixture.peer, now: harness.now)
        Self.counted(
            &harness, &counters, try harness.request(.allocate, nonce: foreign) { try $0.appendRequestedTransport() })
        Self.counted(&harness, &counters, try harness.request(.allocate) { try $0.appendRequestedTransport() })
        counters.countOpened(.udp)
        let denied = STUNTransportAddress(ip: .v4(0x0A00_0001), port: 9)  // 10.0.0.1
        Self.counted(&harness, &counters, try TURNRelayTests.permission(harness, [denied]))
        Self.counted(&harness, &counters, try TURNRelayTests.permission(harness, [Fixture.peer]))
        Self.counted(&harness, &counters, try TURNRelayTests.send(harness, to: Fixture.peer, [1, 2, 3]))
        Self.counted(&harness, &counters, try TURNRelayTests.send(harness, to: denied, [4]))
        let relayed = try #require(
            harness.server.relayedAddress(of: TURNFiveTuple(client: harness.client, transport: .udp)))
        let (delivered, _) = harness.fromPeer(Fixture.peer, to: relayed, [5, 6])
        counters.count(delivered, payloadCount: 2)

        typealias Key = TURNCounters.ResponseKey
        #expect(counters.responses[Key(method: .allocate, code: 401)] == 1)
        #expect(counters.responses[Key(method: .allocate, code: 438)] == 1)
        #expect(counters.responses[Key(method: .allocate, code: 200)] == 1)
        #expect(counters.responses[Key(method: .createPermission, code: 403)] == 1)
        #expect(counters.responses[Key(method: .createPermission, code: 200)] == 1)
        #expect(counters.packetsToPeers == 1 && counters.bytesToPeers == 3)
        #expect(counters.packetsToClients == 1 && counters.bytesToClients == 2)
        #expect(counters.drops == [.noPermission: 1])

        let text = counters.prometheusText(live: harness.server.allocationCountsByTransport())
        for line in [
            "meshcast_turn_allocations{transport=\"udp\"} 1", "meshcast_turn_allocations{transport=\"tcp\"} 0",
            "meshcast_turn_allocations_opened_total{transport=\"udp\"} 1",
            "meshcast_turn_responses_total{method=\"allocate\",code=\"401\"} 1",
            "meshcast_turn_responses_total{method=\"create_permission\",code=\"403\"} 1",
            "meshcast_turn_relayed_packets_total{direction=\"to_peer\",path=\"kernel\"} 1",
            "meshcast_turn_relayed_bytes_total{direction=\"to_client\",path=\"kernel\"} 2",
            "meshcast_turn_dropped_total{reason=\"no-permission\"} 1",
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
    }

    /// A live allocation is listed with its transport, relayed address, permissions and bytes.
    @Test func listsLiveAllocations() throws {
        var harness = try Harness(policy: .open(OpenRelayRules()))
        #expect(
            harness.send(try harness.request(.allocate) { try $0.appendRequestedTransport() }, transport: .tls).bytes
                != nil)
        #expect(harness.send(try TURNRelayTests.permission(harness, [Fixture.peer]), transport: .tls).bytes != nil)
        let listing = harness.server.allocationSummaries()
        #expect(listing.count == 1)
        let summary = try #require(listing.first)
        #expect(summary.fiveTuple == TURNFiveTuple(client: Fixture.client, transport: .tls))
        #expect(summary.username == harness.username)
        #expect(summary.permissions == 1 && summary.channels == 0)
        #expect(summary.expiry == harness.now.adding(seconds: 600))
        #expect(harness.server.allocationCountsByTransport() == [.tls: 1])
    }
}
