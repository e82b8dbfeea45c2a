import Foundation
import Logging
import MeshCascade
import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization
import Testing

/// TURN over TCP moves to the worker that owns its session (issue 13, item 6: "TCP/TLS: the
/// connection moves to that worker after authentication"), on real libuv workers and loopback
/// TCP: a client of the node relay's TCP listener (RFC 8656 §3.1) whose credential names a
/// session on worker 1 gets its Allocate (§7.2) answered by worker 1's relay, binds a channel to
/// worker 1's media address (§11) and runs ICE checks as ChannelData padded to 4 bytes (§12.5)
/// that the session answers: all of them, in order, and none through the node relay's rings.
@Suite("TURN over TCP: a client moves to its session's worker", .serialized)
struct TURNStreamMoveTests {
    typealias Base = EmbeddedTURNTests
    static let checks = 20

    @Test("a TCP client whose credential names a session on worker 1 is served there", .timeLimit(.minutes(1)))
    func tcpClientMovesToItsSessionsWorker() async throws {
        // Two real media ports: a random pair, as EngineLinkTests picks, so no fixed port can be taken.
        let firstPort = UInt16.random(in: 41_000...59_000)
        let node = try await TURNStreamNode.start(firstPort: firstPort)
        defer { node.stop() }
        let (session, stream, ice) = try await node.publisherOnWorker1()
        let client = try await TURNStreamTestClient.connect(on: node.clientWorker, to: node.tcpListener)
        defer { client.close() }

        // An unauthenticated Binding is answered where the client is (no state, no move); its
        // XOR-MAPPED-ADDRESS is the client's side of the 5-tuple, which the nonce is bound to.
        let mapped = try await client.exchange(TURNStreamTestClient.binding())
        let seen = try #require(try mapped.xorAddress())
        guard case let .v4(ip) = seen.ip else { throw EmbeddedAnswer.Unusable(reason: "not IPv4") }
        let clientAddress = SocketAddress(ipv4: ip, port: seen.port)
        let allocate = try Base.request(.allocate, client: clientAddress, credentialID: session) {
            try $0.appendRequestedTransport()
        }
        #expect(
            try await client.exchange(allocate).type
                == STUNMessageType(method: .allocate, messageClass: .successResponse))
        let media = STUNTransportAddress(ip: Base.loopback, port: firstPort + 1)
        let bind = try Base.request(.channelBind, client: clientAddress, credentialID: session) {
            try $0.appendChannelNumber(0x4000)
            try $0.appendXORAddress(media, as: .xorPeerAddress)
        }
        #expect(try await client.exchange(bind).type.messageClass == .successResponse)

        // ICE checks to the session as ChannelData, all in one write; each answer comes back as
        // ChannelData on the same channel, in order.
        var sent: [[UInt8]] = []
        var checks: [UInt8] = []
        for _ in 0..<Self.checks {
            var check = [UInt8](repeating: 0, count: 200)
            let count = try check.withUnsafeMutableBytes { try ice.writeBindingRequest(into: $0) }
            sent.append(Array(check[8..<20]))
            checks += TURNStreamTestClient.channelData(0x4000, Array(check[..<count]))
        }
        try await client.write(checks)
        let answers = try await client.channelData(count: Self.checks)
        #expect(answers.map { Array($0[8..<20]) } == sent, "every check answered, in order")

        // Worker 1's relay took the connection and carried its packets in-process both ways;
        // the node relay (worker 0, the rings to worker 1) relayed nothing and holds no client.
        let port = try #require(node.relays.ports[1])
        let moved = try await node.engine.loop(ofWorker: 1).run { (port.counters, port.streamClientCount) }
        #expect(moved.0.streamClientsMoved[.tcp] == 1)
        #expect(moved.0.inProcessPacketsToPeers == Self.checks && moved.0.inProcessPacketsToClients == Self.checks)
        #expect(moved.1 == 1)
        let stayed = try await node.engine.loop(ofWorker: 0).run {
            (node.relays.node.counters, node.relays.node.streamClientCount)
        }
        #expect(stayed.0.packetsToPeers == 0 && stayed.0.packetsToClients == 0)
        #expect(stayed.0.streamClientMovesFailed == 0)
        #expect(stayed.1 == 0)
        #expect(await node.relays.allocationSummaries().map(\.fiveTuple.transport) == [.tcp])

        // The session's end ends the moved allocation (posted to worker 1's relay).
        _ = await node.engine.endSession(
            SessionAddress(id: session, stream: stream, role: .publisher), reason: "DELETE")
        #expect(await Self.eventually { await node.relays.allocationSummaries().isEmpty })
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<200 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }
}
