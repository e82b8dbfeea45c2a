import Logging
import MeshCascade
import MeshRTC
import MeshRuntime
import MeshTURN
import MeshWire
import Testing

/// TURN served on each media worker's own port (issue 13, item 6: "an allocation lives on the
/// worker that owns its session"), on embedded workers: a viewer allocates on the port its
/// session's answer names (RFC 8656 §7.2), binds a channel to that same address (§11) and runs
/// ICE, DTLS and SRTP as ChannelData (§12). The node relay on worker 0 (the listener at
/// ``EmbeddedTURNTests/turnAddress``) shares the port relays' ledger.
@Suite("Embedded engine: TURN on the workers' own media ports", .serialized)
struct EmbeddedWorkerTURNTests {
    typealias Base = EmbeddedTURNTests

    @Test("an allocation on worker 1's port serves its session there: whole, in order, nothing between workers")
    func allocationOnTheSessionsWorker() async throws {
        let (engines, node, relays) = try await Self.nodeWithPortRelays(id: "origin-w", firstPort: 10_300)
        let publisher = try await engines.publisher(of: "cam", on: node)  // worker 0
        try engines.send(1...3, from: publisher, ssrc: Base.ssrc)
        let onWorker1 = try await Self.viewerThroughPort(of: "cam", on: node, engines: engines).peer
        let onWorker0 = try await Self.viewerThroughPort(of: "cam", on: node, engines: engines).peer
        #expect(onWorker1.turnServer == SocketAddress(ipv4: 0x7F00_0001, port: 10_301))
        #expect(onWorker0.turnServer == SocketAddress(ipv4: 0x7F00_0001, port: 10_300))
        try engines.advance(by: .milliseconds(100))
        try engines.send(4...20, from: publisher, ssrc: Base.ssrc, keyframeAt: 4)
        for viewer in [onWorker1, onWorker0] {
            #expect(viewer.video.map(\.source) == Array(4...20))
            #expect(viewer.videoIsContinuous)
        }

        // Each port relay carried its own viewer's packets in-process, both ways.
        for worker in 0..<2 {
            let port = try #require(relays.ports[worker])
            let counters = try await node.loop(ofWorker: worker).run { port.counters }
            #expect(counters.inProcessPacketsToPeers > 0 && counters.inProcessPacketsToPeers == counters.packetsToPeers)
            #expect(counters.inProcessPacketsToClients >= 17)
            #expect(counters.inProcessPacketsToClients == counters.packetsToClients)
            #expect(counters.drops.isEmpty)
        }
        // The node relay, the only one reached through the rings between workers, relayed
        // nothing; nothing went to its listener or to a relayed port.
        let nodeCounters = try await node.loop(ofWorker: 0).run { relays.node.counters }
        #expect(nodeCounters.packetsToPeers == 0 && nodeCounters.packetsToClients == 0)
        #expect(engines.runtime.network.counters(to: Base.turnAddress).sent == 0)
        for port in Base.relayPorts {
            #expect(engines.runtime.network.counters(to: SocketAddress(ipv4: 0x7F00_0001, port: port)).sent == 0)
        }
        let handedOver = try await node.loop(ofWorker: 1).run { node.inProcessCounts(worker: 1) }
        #expect(handedOver.datagrams > 17 && handedOver.refused == 0)
        // Stopping ends every allocation, though self-only ones hold no relayed socket.
        await relays.stop()
        #expect(await relays.allocationSummaries().isEmpty)
    }

    @Test("quotas per credential count allocations on every worker's port and the listener alike (486)")
    func quotasAcrossWorkers() async throws {
        var configuration = TURNServerConfiguration()
        configuration.maxAllocationsPerCredential = 2
        let (engines, _, relays) = try await Self.nodeWithPortRelays(
            id: "origin-q", firstPort: 10_400, configuration: configuration)
        let ports = [SocketAddress(ipv4: 0x7F00_0001, port: 10_400), SocketAddress(ipv4: 0x7F00_0001, port: 10_401)]
        // RFC 8656 §7.2: past the quota, 486 (Allocation Quota Reached), wherever it is asked.
        let first = try Self.allocate(at: ports[0], engines: engines)
        _ = try Self.allocate(at: ports[1], engines: engines)
        let refusals = [
            try Self.allocate(at: ports[1], engines: engines, expecting: 486),
            try Self.allocate(at: Base.turnAddress, engines: engines, expecting: 486),
        ]
        // §7.3: a Refresh with LIFETIME 0 on worker 0's port frees a slot for worker 1's.
        let refresh = try Base.request(.refresh, client: first.socket.localAddress) { try $0.appendLifetime(0) }
        try Base.send(refresh, from: first, engines, to: ports[0])
        try Base.send(
            try Base.request(.allocate, client: refusals[0].socket.localAddress) { try $0.appendRequestedTransport() },
            from: refusals[0], engines, to: ports[1])
        let live = await relays.allocationSummaries()
        #expect(live.count == 2)
        await relays.stop()
    }

    @Test("an Allocate on a worker's port that does not authenticate leaves no allocation and no port taken")
    func unauthenticatedAllocateLeavesNoState() async throws {
        let (engines, _, relays) = try await Self.nodeWithPortRelays(id: "origin-u", firstPort: 10_500)
        let port = SocketAddress(ipv4: 0x7F00_0001, port: 10_501)
        let peer = try engines.client()
        peer.turnServer = port
        // RFC 8656 §7.2 → RFC 8489 §9.2.4: no MESSAGE-INTEGRITY, 401 with REALM and NONCE.
        var unsigned = [UInt8](repeating: 0, count: 64)
        let count = try unsigned.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: .allocate, messageClass: .request), transactionID: .random()
            )
            try builder.appendRequestedTransport()
            return builder.count
        }
        let challenge = try Base.answer(to: Array(unsigned[..<count]), from: peer, engines, server: port)
        #expect(try challenge.errorCode?.code == 401)
        // A credential signed with another secret: 401 as well.
        let forged = try Base.request(.allocate, client: peer.socket.localAddress, secret: TURNSecret("not-the-secret"))
        {
            try $0.appendRequestedTransport()
        }
        #expect(try Base.answer(to: forged, from: peer, engines, server: port).errorCode?.code == 401)
        // ChannelData without an allocation goes nowhere (§12.6).
        try [0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4].withUnsafeBytes { _ = try peer.socket.send($0, to: port) }
        try engines.settle()
        #expect(await relays.allocationSummaries().isEmpty)
        // The first authenticated Allocate gets the first port of the range: none was taken.
        _ = try Self.allocate(at: port, engines: engines)
        let relayed = await relays.allocationSummaries().map(\.relayed.port)
        #expect(relayed == [Base.relayPorts.lowerBound])
        await relays.stop()
    }

    @Test("ending a viewer's session (a WHEP DELETE) ends its allocation on its worker's port at once")
    func sessionEndEndsItsAllocation() async throws {
        let (engines, node, relays) = try await Self.nodeWithPortRelays(id: "origin-d", firstPort: 10_600)
        let publisher = try await engines.publisher(of: "cam", on: node)
        try engines.send(1...3, from: publisher, ssrc: Base.ssrc)
        let (viewer, session) = try await Self.viewerThroughPort(of: "cam", on: node, engines: engines)
        #expect(await relays.allocationSummaries().count == 1)
        #expect(await node.endSession(SessionAddress(id: session, stream: "cam", role: .viewer), reason: "DELETE"))
        // No embedded time passes: the end is posted to the relay's loop and handled there.
        try engines.settle()
        #expect(await relays.allocationSummaries().isEmpty)
        // The credential minted for the session is refused from now on (401).
        let server = try #require(viewer.turnServer)
        let refresh = try Base.request(.refresh, client: viewer.socket.localAddress, credentialID: session) { _ in }
        #expect(try Base.answer(to: refresh, from: viewer, engines, server: server).errorCode?.code == 401)
        await relays.stop()
    }

    /// A two-worker node whose media ports start at `firstPort`: the node relay on worker 0 and a
    /// relay on each media port, all on one ledger, as `NodeTURN.start` builds them; a session's
    /// end ends its allocations, as `MeshNodeRunner` wires it.
    static func nodeWithPortRelays(
        id: String, firstPort: UInt16, configuration: TURNServerConfiguration = TURNServerConfiguration()
    ) async throws -> (EmbeddedEngines, MediaEngine, TURNRelays) {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: id, firstPort: firstPort)
        let own = [
            STUNTransportAddress(ip: Base.loopback, port: firstPort): 0,
            STUNTransportAddress(ip: Base.loopback, port: firstPort + 1): 1,
        ]
        let server = Base.server(own: own, configuration: configuration)
        let nodeRelay = try await Base.startNodeRelay(on: node, server: server)
        let relays = try await Base.connectPortRelays(to: nodeRelay, on: node, server: server, own: own)
        return (engines, node, relays)
    }

    /// A viewer of `stream` that reaches `node` only through TURN on the media port its answer
    /// names (its session's worker, as the `Link` does), with the credential minted for its
    /// session; and that session's id.
    static func viewerThroughPort(of stream: String, on node: MediaEngine, engines: EmbeddedEngines) async throws
        -> (peer: EmbeddedPeer, session: String)
    {
        let peer = try engines.client()
        let answer = try await node.view(
            stream: stream, offer: peer.offer(direction: "recvonly"), client: "test", options: ViewerOptions())
        let media = try EmbeddedAnswer(sdp: answer.sdp).server
        peer.turnServer = media
        let client = peer.socket.localAddress
        let id = answer.sessionID
        try Base.send(
            try Base.request(.allocate, client: client, credentialID: id) { try $0.appendRequestedTransport() },
            from: peer, engines, to: media)
        try Base.send(
            try Base.request(.channelBind, client: client, credentialID: id) {
                try $0.appendChannelNumber(0x4000)
                try $0.appendXORAddress(try #require(STUNTransportAddress(media)), as: .xorPeerAddress)
            }, from: peer, engines, to: media)
        peer.channel = (0x4000, media)
        try peer.accept(answer.sdp)
        try engines.connect(peer)
        return (peer, id)
    }

    /// A new client's Allocate at `server` with the test's credential; a success unless `code`.
    static func allocate(at server: SocketAddress, engines: EmbeddedEngines, expecting code: Int? = nil) throws
        -> EmbeddedPeer
    {
        let peer = try engines.client()
        peer.turnServer = server
        let request = try Base.request(.allocate, client: peer.socket.localAddress) {
            try $0.appendRequestedTransport()
        }
        let answer = try Base.answer(to: request, from: peer, engines, server: server)
        #expect(try answer.errorCode?.code == code)
        return peer
    }
}
