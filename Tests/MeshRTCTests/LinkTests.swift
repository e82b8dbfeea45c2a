import MeshCrypto
import MeshRTC
import MeshWire
import Testing

@Suite("Relay link: sender and receiver in process")
struct LinkTests {
    static let ms = LinkHarness.millisecond
    static let ssrcs: [UInt32] = [0x0A0A_0001, 0x0A0A_0002, 0x0A0A_0003]

    @Test("media of several mesh SSRCs crosses the link intact (SRTP AEAD_AES_128_GCM, RFC 7714)")
    func roundTrip() throws {
        let link = try LinkHarness()
        for ssrc in Self.ssrcs { link.subscribe(ssrc) }
        var sent: [UInt32: [UInt16: [UInt8]]] = [:]
        // Across the 16-bit wrap, so SRTP's rollover counter (RFC 3711 §3.3.1) advances on both ends.
        let sequences = Array(UInt16(65500)...UInt16.max) + Array(0..<20)
        for sequence in sequences {
            for (offset, ssrc) in Self.ssrcs.enumerated() {
                let packet = LinkHarness.packet(ssrc: ssrc, sequence: sequence, size: 300 + offset * 200)
                sent[ssrc, default: [:]][sequence] = packet
                #expect(link.forward(packet))
            }
        }
        link.advance(by: 20 * Self.ms)
        for ssrc in Self.ssrcs {
            #expect(link.deliveredBytes[ssrc] == sent[ssrc], "every packet of \(ssrc) decrypts to what was sent")
            #expect(link.receiver.receiveStatistics(ssrc: ssrc)?.packetsReceived == Int64(sent[ssrc]?.count ?? -1))
        }
        // On the wire each packet grew by the 16-byte GCM tag (RFC 7714 §7) and is not plaintext.
        #expect(link.sender.statistics.packetsSent == 3 * sequences.count)
        #expect(link.sender.statistics.bytesSent == sent.values.flatMap(\.values).map { $0.count + 16 }.reduce(0, +))
        // The downstream hop stored every packet for its own downstream NACKs.
        let buffer = makeOutputBuffer(2048)
        defer { buffer.deallocate() }
        for ssrc in Self.ssrcs {
            let stored = link.downstreamHistories[ssrc]?.load(sequence: 65510, into: buffer)
            #expect(stored.map { Array(buffer[0..<$0.length]) } == sent[ssrc]?[65510])
        }
        #expect(link.receiver.statistics.authenticationFailures == 0 && link.receiver.statistics.malformed == 0)
    }

    @Test("a packet of a track not subscribed on the link is not sent, and counted")
    func notSubscribed() throws {
        let link = try LinkHarness()
        link.subscribe(Self.ssrcs[0])
        #expect(!link.forward(LinkHarness.packet(ssrc: 0xBAD0_BAD0, sequence: 1)))
        #expect(link.sender.statistics.packetsNotSubscribed == 1 && link.toDownstream.isEmpty)
        link.sender.unsubscribe(ssrc: Self.ssrcs[0])
        #expect(!link.forward(LinkHarness.packet(ssrc: Self.ssrcs[0], sequence: 1)))
    }

    @Test("5% random loss both ways: hop-by-hop NACK (RFC 4585 §6.2.1) and resends recover at least 99%")
    func lossRecovery() throws {
        let link = try LinkHarness()
        for ssrc in Self.ssrcs { link.subscribe(ssrc) }
        link.lossRate = 0.05
        let count = 1500
        // One packet per track every 2 ms for 3 s of fake time.
        for step in 0..<count {
            for ssrc in Self.ssrcs {
                link.forward(LinkHarness.packet(ssrc: ssrc, sequence: UInt16(step), size: 900))
            }
            link.advance(by: 2 * Self.ms)
            // The control plane passes the RTT the upstream end measured (RFC 3550 §6.4.1).
            if let rtt = link.sender.statistics.roundTripTime { link.receiver.roundTripTime = rtt }
        }
        // A few round trips (20 ms each) more for the last requests.
        link.advance(by: 300 * Self.ms)
        #expect(link.lost > 0, "the loss model dropped datagrams")
        for ssrc in Self.ssrcs {
            let got = link.delivered[ssrc]?.count ?? 0
            #expect(got * 100 >= count * 99, "\(ssrc): \(got) of \(count)")
        }
        #expect(link.sender.statistics.nacksReceived > 0 && link.sender.statistics.packetsResent > 0)
        #expect(link.sender.statistics.nackedPacketsMissing == 0)
        // Resending an already protected index needs libsrtp's allow_repeat_tx: none refused.
        #expect(link.sender.statistics.protectFailures == 0)
        let figures = Self.ssrcs.map { link.delivered[$0]?.count ?? 0 }
        print(
            "relay link 5% loss: \(link.lost) datagrams lost, \(link.sender.statistics.nacksReceived) NACKs, "
                + "\(link.sender.statistics.packetsResent) resent, delivered \(figures) of \(count) per track")
        // Reports came back every second despite the loss (RFC 3550 §6.4.2).
        #expect(link.sender.statistics.reportsReceived >= 2)
        let measured = try #require(link.sender.statistics.roundTripTime)
        #expect(measured >= 2 * link.oneWayDelay && measured < 2 * link.oneWayDelay + 2 * Self.ms)
    }

    @Test("a NACK for a packet the upstream history no longer holds is counted, not answered")
    func nackBeyondHistory() throws {
        let link = try LinkHarness(historyCapacity: 16)
        let ssrc = Self.ssrcs[0]
        link.subscribe(ssrc)
        for sequence in UInt16(0)..<100 {
            if sequence == 5 {
                // Lose packet 5 on the wire: the history keeps it, the link loses it.
                let packet = LinkHarness.packet(ssrc: ssrc, sequence: sequence)
                packet.withRaw {
                    _ = link.upstreamHistories[ssrc]?.store($0, sequence: 5, arrival: 0, isKeyframeStart: false)
                }
                continue
            }
            link.forward(LinkHarness.packet(ssrc: ssrc, sequence: sequence))
        }
        // By the time packets arrive, the 16-slot history has overwritten packet 5.
        link.advance(by: 25 * Self.ms)
        #expect(link.sender.statistics.nacksReceived >= 1)
        #expect(link.sender.statistics.nackedPacketsMissing >= 1)
        #expect(link.sender.statistics.packetsResent == 0)
        #expect(link.delivered[ssrc]?.contains(5) == false)
        #expect(link.receiver.missingSequences(ssrc: ssrc) == [5], "still missing: nothing came back")
    }

    @Test("a packet lost for good marks the downstream history discontinuous and asks for a key frame")
    func lossForGood() throws {
        let link = try LinkHarness(historyCapacity: 16)
        let ssrc = Self.ssrcs[0]
        link.subscribe(ssrc)
        let downstream = try #require(link.downstreamHistories[ssrc])
        for sequence in UInt16(0)..<100 {
            if sequence == 5 {
                // As above: the 16-slot upstream history will have overwritten 5 when it is asked for.
                let packet = LinkHarness.packet(ssrc: ssrc, sequence: sequence)
                packet.withRaw {
                    _ = link.upstreamHistories[ssrc]?.store($0, sequence: 5, arrival: 0, isKeyframeStart: false)
                }
                continue
            }
            link.forward(LinkHarness.packet(ssrc: ssrc, sequence: sequence))
        }
        link.advance(by: 25 * Self.ms)
        #expect(downstream.generation == 0, "still asking: not given up yet")
        // Ten tries later (or a second), the receiver gives up: readers must restart at a key frame.
        link.advance(by: 1_100 * Self.ms)
        #expect(link.receiver.missingSequences(ssrc: ssrc).isEmpty)
        #expect(downstream.generation == 1)
        #expect(link.receiver.statistics.discontinuities == 1)
        #expect(link.keyframeRequests == [ssrc])
    }

    @Test("the loss the downstream end reports (RFC 3550 §6.4.1 fraction lost) is what the upstream end reads")
    func reportedLoss() throws {
        let link = try LinkHarness(historyCapacity: 16)
        let ssrc = Self.ssrcs[0]
        link.subscribe(ssrc)
        // 100 packets, number 5 lost on the wire and gone from the 16-slot history when NACKed.
        for sequence in UInt16(0)..<100 where sequence != 5 {
            link.forward(LinkHarness.packet(ssrc: ssrc, sequence: sequence))
        }
        #expect(link.receiver.statistics.fractionLostReported == 0)
        // The first report with the track's block: 1 lost of 100 expected, 256 / 100 → 2 (§A.3).
        link.advance(by: 1_100 * Self.ms)
        #expect(link.receiver.statistics.reportsSent >= 1)
        #expect(link.receiver.statistics.fractionLostReported == 2)
        #expect(link.sender.statistics.fractionLost == 2)
    }

    @Test("the link is down after 2 s of silence and up again with a keepalive (DESIGN.md Relay links)")
    func liveness() throws {
        let link = try LinkHarness()
        let start = link.now
        #expect(!link.receiver.isDown(now: start + 1_999 * Self.ms))
        #expect(link.receiver.isDown(now: start + 2_000 * Self.ms))
        // Idle upstream end: its poll sends a keepalive (a sender report, RFC 3550 §6.4.1).
        link.now = start + 2_100 * Self.ms
        link.sender.poll(now: link.now, ntpTime: LinkHarness.ntp(link.now)) {
            link.put(Array($0), downstream: true)
        }
        #expect(link.toDownstream.count == 1)
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.inbound.last == .control)
        #expect(!link.receiver.isDown(now: link.now))
        #expect(link.receiver.isDown(now: link.now + 2_000 * Self.ms))
        // With the link idle, keepalives come every 500 ms: polled every ms, it never goes down.
        link.advance(by: 3_000 * Self.ms)
        #expect(!link.receiver.isDown(now: link.now))
        let keepalives = link.sender.statistics.senderReportsSent
        #expect(keepalives >= 6 && keepalives <= 8, "one per 500 ms idle, \(keepalives)")
    }

    @Test("RTT from the receiver report's LSR/DLSR (RFC 3550 §6.4.1) with a fake clock")
    func roundTripTime() throws {
        let link = try LinkHarness()
        link.oneWayDelay = 17 * Self.ms
        let ntp: UInt64 = 0xE5F3_1234_5678_9ABC
        link.sender.poll(now: link.now, ntpTime: ntp) { link.put(Array($0), downstream: true) }
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.receiver.upstreamSSRC == link.sender.linkSSRC)
        // The downstream end holds the SR for 300 ms before its report goes (DLSR).
        link.now += 300 * Self.ms
        link.receiver.poll(now: link.now) { link.put(Array($0), downstream: false) }
        #expect(link.toUpstream.count == 1)
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.sender.statistics.reportsReceived == 1)
        let rtt = try #require(link.sender.statistics.roundTripTime)
        // DLSR is in 1/65536 s, so the figure may be off by one unit (about 15.3 µs).
        let expected = 2 * link.oneWayDelay
        let unit: UInt64 = 1_000_000_000 >> 16 + 1
        #expect(rtt >= expected && rtt <= expected + unit, "rtt \(rtt) ns")
    }

    @Test("key frame requests of several local viewers go upstream merged (RFC 4585 §6.3.1)")
    func keyframeMerging() throws {
        let link = try LinkHarness()
        let ssrc = Self.ssrcs[1]
        link.subscribe(ssrc)
        for viewer in 0..<5 {
            link.receiver.requestKeyframe(ssrc: ssrc, now: link.now + UInt64(viewer) * 10 * Self.ms) {
                link.put(Array($0), downstream: false)
            }
        }
        link.now += 50 * Self.ms
        link.deliverDue()
        #expect(link.keyframeRequests == [ssrc], "the first request went at once, the rest were held")
        #expect(link.receiver.statistics.keyframeRequestsMerged == 4)
        // The held request goes once the 500 ms interval ends.
        link.advance(by: 500 * Self.ms)
        #expect(link.keyframeRequests == [ssrc, ssrc])
        #expect(link.receiver.statistics.keyframeRequestsSent == 2)
        // A key frame arriving clears a held request: no third PLI.
        link.receiver.requestKeyframe(ssrc: ssrc, now: link.now) { link.put(Array($0), downstream: false) }
        link.forward(LinkHarness.packet(ssrc: ssrc, sequence: 1, keyframe: true))
        link.advance(by: 600 * Self.ms)
        #expect(link.keyframeRequests == [ssrc, ssrc])
    }

    @Test("a FIR (RFC 5104 §4.3.1) for a subscribed track reaches the upstream end; one for another does not")
    func fullIntraRequest() throws {
        let link = try LinkHarness()
        link.subscribe(Self.ssrcs[0])
        var feedback = try SRTPSender(LinkTestKeys.keys(seed: 1).upstream)
        let fir = FullIntraRequest(
            senderSSRC: 0xD0E4_0002,
            entries: [
                FullIntraRequestEntry(ssrc: Self.ssrcs[0], sequenceNumber: 1),
                FullIntraRequestEntry(ssrc: 0x0BAD_0BAD, sequenceNumber: 1),
            ])
        let buffer = makeOutputBuffer(256)
        defer { buffer.deallocate() }
        var writer = ByteWriter(buffer)
        try fir.marshal(into: &writer)
        let length = try feedback.protectRTCP(buffer, length: writer.offset)
        var requested: [UInt32] = []
        let outcome = link.sender.receiveFeedback(
            buffer, length: length, now: link.now, send: { _ in }, keyframeRequested: { requested.append($0) })
        #expect(outcome == .handled)
        #expect(requested == [Self.ssrcs[0]])
    }

    @Test("wrong keys: SRTP and SRTCP authentication fails (RFC 7714 §9.3), datagrams are dropped and counted")
    func wrongKeys() throws {
        let link = try LinkHarness(
            senderKeys: LinkTestKeys.keys(seed: 1), receiverKeys: LinkTestKeys.keys(seed: 2))
        let ssrc = Self.ssrcs[0]
        link.subscribe(ssrc)
        for sequence in UInt16(0)..<10 { link.forward(LinkHarness.packet(ssrc: ssrc, sequence: sequence)) }
        link.sender.poll(now: link.now, ntpTime: 1) { link.put(Array($0), downstream: true) }
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.inbound.count == 11 && link.inbound.allSatisfy { $0 == .dropped })
        #expect(link.receiver.statistics.authenticationFailures == 11)
        #expect(link.receiver.statistics.packetsReceived == 0 && link.delivered.isEmpty)
        #expect(link.receiver.isDown(now: link.now + 2_000 * Self.ms))
        #expect(link.receiver.lastHeard == nil, "forged traffic does not keep a link alive")
        // And the other way: the receiver's feedback, keyed wrongly, fails at the sender.
        link.receiver.requestKeyframe(ssrc: ssrc, now: link.now) { link.put(Array($0), downstream: false) }
        link.now += link.oneWayDelay
        link.deliverDue()
        #expect(link.sender.statistics.authenticationFailures == 1 && link.keyframeRequests.isEmpty)
    }

    @Test("garbage datagrams on the relay port are dropped and counted, and traffic still flows")
    func garbage() throws {
        let link = try LinkHarness()
        let ssrc = Self.ssrcs[0]
        link.subscribe(ssrc)
        let buffer = makeOutputBuffer(2048)
        defer { buffer.deallocate() }
        var random = SeededGenerator(state: 7)
        for length in [0, 3, 11, 12, 40, 200, 1300] {
            for index in 0..<length { buffer[index] = UInt8.random(in: 0...255, using: &random) }
            // Half of them look like RTCP (RFC 5761 §4: second byte 192–223).
            if length > 1 && length % 2 == 0 { buffer[1] = 200 }
            #expect(link.receiver.receive(buffer, length: length, now: link.now) == .dropped)
            let outcome = link.sender.receiveFeedback(
                buffer, length: length, now: link.now, send: { _ in }, keyframeRequested: { _ in })
            #expect(outcome == .dropped)
        }
        let drops = link.receiver.statistics
        let receiverDrops = drops.authenticationFailures + drops.malformed + drops.replaysDropped
        #expect(receiverDrops == 7)
        link.forward(LinkHarness.packet(ssrc: ssrc, sequence: 1))
        link.advance(by: 20 * Self.ms)
        #expect(link.delivered[ssrc] == [1])
    }
}
