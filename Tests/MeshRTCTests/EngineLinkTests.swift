import Foundation
import Glibc
import Logging
import MeshCluster
import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshTestSupport
import MeshWire
import Testing

/// Two real media engines on loopback joined by a relay link (DESIGN.md "Relay links"), fed by
/// the test playing the origin's sending end over a plain UDP socket: tracks identified by mesh
/// SSRC, hop-by-hop NACK, key frame requests travelling up, link-down events.
@Suite("Engine relay links over loopback", .serialized)
struct EngineLinkTests {
    static let record = StreamRecord(
        name: "cam", originNode: "origin-test",
        tracks: [
            MeshTrack(trackID: "0", kind: .video, ssrc: 0x5151_0001, codec: "VP8", payloadType: 96, clockRate: 90_000)
        ],
        startedAt: 0)

    @Test(
        "origin → relay engine → edge engine: packets flow, a lost packet is recovered hop by hop, PLI goes up, silence is reported"
    )
    func cascade() async throws {
        let base = UInt16.random(in: 20_000...40_000)
        let relay = try EngineUnderTest(id: "relay-t", role: "relay", port: base)
        let edge = try EngineUnderTest(id: "edge-t", role: "edge", port: base + 10)
        defer {
            relay.stop()
            edge.stop()
        }
        try await relay.engine.start()
        try await edge.engine.start()
        var relayEvents = relay.engine.events().makeAsyncIterator()

        // The test is the origin: it accepts the relay's link request itself.
        let origin = try PlainUDPSocket()
        let request = try await relay.engine.prepareUpstreamLink(to: "origin-test")
        let linkID = try await relay.engine.openUpstreamLink(
            request,
            accepted: LinkSetupResponse(
                linkID: "l-origin", upstreamNode: "origin-test",
                upstreamAddress: LinkAddress(host: "127.0.0.1", port: origin.port), keys: request.keys))
        try await relay.engine.receive(Self.record, overLink: linkID)
        let sender = try LinkSender(keys: request.keys, linkSSRC: 77)
        let ssrc = Self.record.tracks[0].ssrc
        let originHistory = PacketHistory(capacity: 64)
        sender.subscribe(ssrc: ssrc, history: originHistory)

        // The edge asks the relay for a link and for the stream, as the coordinator would.
        let edgeRequest = try await edge.engine.prepareUpstreamLink(to: "relay-t")
        let accepted = try await relay.engine.acceptLink(edgeRequest)
        let edgeLink = try await edge.engine.openUpstreamLink(edgeRequest, accepted: accepted)
        try await edge.engine.receive(Self.record, overLink: edgeLink)
        try await relay.engine.forward(stream: "cam", tracks: [ssrc], onLink: edgeLink)
        #expect(await edge.engine.carriedStream("cam") == Self.record)

        // 40 packets (no key frame among them, so requests for one are not held back), the 10th
        // lost on the origin → relay wire.
        let relayAddress = LinkAddress(host: "127.0.0.1", port: request.downstreamAddress.port)
        var sawPLI = false
        for sequence in UInt16(1000)..<1040 {
            let packet = Self.vp8Packet(ssrc: ssrc, sequence: sequence, keyframe: false)
            packet.withUnsafeBytes {
                _ = originHistory.store($0, sequence: sequence, arrival: 0, isKeyframeStart: false)
            }
            if sequence != 1009 { try origin.sendProtected(packet, sender: sender, to: relayAddress) }
            // Answer NACKs from the history, the way the origin's link end would.
            sawPLI = try origin.serveFeedback(sender: sender, to: relayAddress) || sawPLI
            try await Task.sleep(for: .milliseconds(5))
        }
        // Until the repair and the key frame request are through (both engines share one CPU:
        // a loaded machine takes longer than the 400 ms this once waited).
        let deadline = ContinuousClock.now + .seconds(10)
        for turn in 0... {
            sawPLI = try origin.serveFeedback(sender: sender, to: relayAddress) || sawPLI
            try await Task.sleep(for: .milliseconds(10))
            if ContinuousClock.now >= deadline { break }
            guard turn >= 40 else { continue }
            let delivered = await edge.engine.meshStatus().links.first { $0.id == edgeLink }?.packets
            if sawPLI && delivered == 40 { break }
        }
        let relayStatus = await relay.engine.meshStatus()
        let edgeStatus = await edge.engine.meshStatus()
        let fromOrigin = try #require(relayStatus.links.first { $0.id == linkID })
        let toEdge = try #require(relayStatus.links.first { $0.id == edgeLink && $0.end == .upstream })
        let atEdge = try #require(edgeStatus.links.first { $0.id == edgeLink })
        // The relay got 39 first transmissions plus the NACKed one, and forwarded all 40.
        #expect(fromOrigin.packets == 40)
        #expect(fromOrigin.retransmissions >= 1)
        #expect(toEdge.packets == 40)
        #expect(atEdge.packets == 40)
        #expect(toEdge.streams == ["cam"])
        // Bytes move with the packets: the relay and the edge count plain RTP in, the relay SRTP
        // out, each packet 16 bytes longer for AEAD_AES_128_GCM's tag (RFC 7714 §14.2).
        let length = UInt64(Self.vp8Packet(ssrc: ssrc, sequence: 0, keyframe: false).count)
        #expect(fromOrigin.bytes == 40 * length)
        #expect(toEdge.bytes == 40 * (length + 16))
        #expect(atEdge.bytes == 40 * length)
        #expect(edgeStatus.streams.first?.source == .link(linkID: edgeLink, upstreamNode: "relay-t"))
        // The edge's forward request asked for a key frame, which climbed to the origin.
        #expect(sawPLI)

        // The drop_link test fault: every first transmission to the edge is lost from now on
        // (no later packet arrives to show the edge a gap, so nothing is repaired either).
        #expect(await relay.engine.setTestLinkDrop(toNode: "edge-t", rate: 1) == 1)
        for sequence in UInt16(1040)..<1045 {
            try origin.sendProtected(
                Self.vp8Packet(ssrc: ssrc, sequence: sequence, keyframe: false), sender: sender, to: relayAddress)
        }
        var dropped = await relay.engine.meshStatus().links.first { $0.id == linkID }
        let dropDeadline = ContinuousClock.now + .seconds(10)
        while dropped?.packets != 45, ContinuousClock.now < dropDeadline {
            try await Task.sleep(for: .milliseconds(20))
            dropped = await relay.engine.meshStatus().links.first { $0.id == linkID }
        }
        #expect(dropped?.packets == 45)
        #expect(dropped?.bytes == 45 * length)
        let atEdgeAfterDrop = await edge.engine.meshStatus().links.first { $0.id == edgeLink }
        #expect(atEdgeAfterDrop?.packets == 40 && atEdgeAfterDrop?.bytes == 40 * length)

        // The origin falls silent: the relay reports its upstream link down after ~1 s.
        let started = ContinuousClock.now
        var down: MeshDataEvent?
        while down == nil, ContinuousClock.now - started < .seconds(5) {
            let event = await relayEvents.next()
            if case .upstreamLinkDown = event { down = event }
        }
        #expect(down == .upstreamLinkDown(linkID: linkID, upstreamNode: "origin-test", streams: ["cam"]))
        #expect(await relay.engine.closeLink(linkID, reason: "test"))
        #expect(await relay.engine.meshStatus().streams.first?.source == CarriedStreamSnapshot.Source.none)
    }

    @Test("link requests with bad addresses, unknown links and unknown streams are refused with a reason")
    func badRequests() async throws {
        let node = try EngineUnderTest(id: "relay-b", role: "relay", port: UInt16.random(in: 40_001...50_000))
        defer { node.stop() }
        try await node.engine.start()
        var request = try await node.engine.prepareUpstreamLink(to: "x")
        request.downstreamAddress.host = "not-an-ip"
        await #expect(throws: LinkError.self) { _ = try await node.engine.acceptLink(request) }
        await #expect(throws: LinkError.unknownLink("nope")) {
            try await node.engine.stopForwarding(stream: "cam", onLink: "nope")
        }
        let good = try await node.engine.prepareUpstreamLink(to: "x")
        let accepted = try await node.engine.acceptLink(good)
        await #expect(throws: LinkError.unknownStream("cam")) {
            try await node.engine.forward(stream: "cam", tracks: [1], onLink: accepted.linkID)
        }
        var unknownCodec = Self.record
        unknownCodec.tracks[0].codec = "AV2"
        let other = try await node.engine.prepareUpstreamLink(to: "y")
        let link = try await node.engine.openUpstreamLink(
            other,
            accepted: LinkSetupResponse(
                linkID: "l-y", upstreamNode: "y", upstreamAddress: LinkAddress(host: "127.0.0.1", port: 9),
                keys: other.keys))
        await #expect(throws: LinkError.invalid("track '0': unknown codec 'AV2'")) {
            try await node.engine.receive(unknownCodec, overLink: link)
        }
    }

    /// An RTP packet with a VP8 payload descriptor (RFC 7741 §4.2): S=1, PID=0, and a key frame
    /// (P=0 in the first payload byte) when asked.
    static func vp8Packet(ssrc: UInt32, sequence: UInt16, keyframe: Bool) -> [UInt8] {
        var payload: [UInt8] = [0x10]  // VP8 descriptor: S=1
        payload += [keyframe ? 0x00 : 0x01, 0x00, 0x00, 0x9D, 0x01, 0x2A]  // P bit, then the key frame start code
        payload += [UInt8](repeating: 0xAB, count: 400)
        return TestPacket.rtp(sequence: sequence, timestamp: 3000, ssrc: ssrc, payload: payload)
    }
}

/// One engine with one worker on loopback.
struct EngineUnderTest {
    let group: WorkerGroup
    let engine: MediaEngine

    init(id: String, role: String, port: UInt16) throws {
        group = try WorkerGroup(configuration: WorkerGroupConfiguration(placement: .cpus([CPUTopology.affinity()[0]])))
        let configuration = MediaEngineConfiguration(
            nodeID: id, role: role, mediaHost: "127.0.0.1", announceIP: "127.0.0.1", firstPort: port)
        engine = try MediaEngine(configuration: configuration, group: group, logger: Logger(label: "test.\(id)"))
    }

    func stop() {
        let engine = engine
        waitForTask { await engine.shutdown() }
        withExtendedLifetime(engine) { group.stop() }
    }
}

/// A blocking UDP socket on 127.0.0.1 for the test's own link end.
final class PlainUDPSocket {
    let descriptor: Int32
    let port: UInt16

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    }

    deinit { close(descriptor) }

    func send(_ bytes: UnsafeRawBufferPointer, to destination: LinkAddress) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = destination.port.bigEndian
        address.sin_addr.s_addr = inet_addr(destination.host)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    func sendProtected(_ packet: [UInt8], sender: LinkSender, to destination: LinkAddress) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer { buffer.deallocate() }
        let length = try #require(packet.withUnsafeBytes { sender.protect($0, into: buffer, now: 0) })
        send(UnsafeRawBufferPointer(rebasing: buffer[0..<length]), to: destination)
    }

    /// Handles every feedback datagram waiting (the sender resends NACKed packets from its
    /// history). Returns whether a key frame request came.
    func serveFeedback(sender: LinkSender, to destination: LinkAddress) throws -> Bool {
        var keyframe = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let received = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            guard received > 0 else { return keyframe }
            sender.receiveFeedback(
                buffer, length: received, now: 0,
                send: { resent in send(resent, to: destination) },
                keyframeRequested: { _ in keyframe = true })
        }
    }
}
