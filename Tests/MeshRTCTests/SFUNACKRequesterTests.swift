import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU NACK requester (RFC 4585 §6.2.1)")
struct SFUNACKRequesterTests {
    static let ms: UInt64 = 1_000_000

    @Test("a gap is NACKed at once, then again only after the RTT-based interval")
    func requestsAndRetries() throws {
        var requester = NACKRequester()
        for sequence: UInt16 in [10, 11, 14] { requester.received(sequence: sequence, now: 0) }
        #expect(requester.missingSequences == [12, 13])
        let built = requester.nack(now: 1 * Self.ms, rtt: 40 * Self.ms, senderSSRC: 1, mediaSSRC: 2)
        let nack = try #require(built)
        // One pair: PID 12, BLP bit 0 (13).
        #expect(Array(nack.pairs) == [NACKPair(packetID: 12, lostBitmask: 0x0001)])
        #expect(nack.mediaSSRC == 2)
        let result1 = requester.dueSequences(now: 30 * Self.ms, rtt: 40 * Self.ms)
        #expect(result1.isEmpty)  // 1.25 × RTT = 50 ms
        let result2 = requester.dueSequences(now: 51 * Self.ms, rtt: 40 * Self.ms)
        #expect(result2 == [12, 13])
    }

    @Test("a late arrival or retransmission clears its entry")
    func lateArrival() {
        var requester = NACKRequester()
        for sequence: UInt16 in [1, 4] { requester.received(sequence: sequence, now: 0) }
        requester.received(sequence: 2, now: 5 * Self.ms)
        #expect(requester.missingSequences == [3])
        #expect(requester.recovered == 1)
    }

    @Test("gives up after maxRetries tries, after maxAge, or when too far behind")
    func givesUp() {
        var requester = NACKRequester(configuration: .init(maxRetries: 2, maxAge: 500 * Self.ms, maxSequenceAge: 100))
        for sequence: UInt16 in [1, 3] { requester.received(sequence: sequence, now: 0) }
        let result3 = requester.dueSequences(now: 0, rtt: 0)
        #expect(result3 == [2])
        let result4 = requester.dueSequences(now: 20 * Self.ms, rtt: 0)
        #expect(result4 == [2])
        let result5 = requester.dueSequences(now: 40 * Self.ms, rtt: 0)
        #expect(result5.isEmpty)
        #expect(requester.abandoned == 1)

        requester.received(sequence: 5, now: 50 * Self.ms)  // 4 missing
        let result6 = requester.dueSequences(now: 600 * Self.ms, rtt: 0)
        #expect(result6.isEmpty)  // noticed 550 ms ago
        requester.received(sequence: 7, now: 600 * Self.ms)  // 6 missing
        requester.received(sequence: 200, now: 601 * Self.ms)  // 8...199 missing; 6 is 194 behind
        let result7 = requester.dueSequences(now: 602 * Self.ms, rtt: 0)
        #expect(result7.first == 100)  // 200 - 100
    }

    @Test("a gap larger than the table asks for a key frame instead")
    func hugeGap() {
        var requester = NACKRequester(configuration: .init(capacity: 8))
        requester.received(sequence: 1, now: 0)
        requester.received(sequence: 100, now: 0)
        #expect(requester.needsKeyframe)
        #expect(requester.missingSequences.isEmpty)
        requester.keyframeRequested()
        #expect(!requester.needsKeyframe)
    }

    @Test("gaps across the 16-bit wrap are found")
    func wrap() {
        var requester = NACKRequester()
        for sequence: UInt16 in [65534, 1] { requester.received(sequence: sequence, now: 0) }
        #expect(requester.missingSequences == [65535, 0])
    }

    @Test("loss for good is reported once per batch given up, for too old and for too large a gap")
    func lossForGood() {
        var requester = NACKRequester(configuration: .init(capacity: 8))
        requester.received(sequence: 10, now: 0)
        requester.received(sequence: 12, now: 0)
        let beforeGivingUp = requester.takeLossForGood()
        requester.forEachDue(now: 2_000 * Self.ms, rtt: 0) { _ in }  // 11 is now older than maxAge
        let afterGivingUp = requester.takeLossForGood()
        let again = requester.takeLossForGood()
        #expect(!beforeGivingUp && afterGivingUp && !again)
        requester.received(sequence: 100, now: 2_000 * Self.ms)  // 87 missing: beyond the 8 tracked
        #expect(requester.needsKeyframe)
        let tooLarge = requester.takeLossForGood()
        #expect(tooLarge && !requester.needsKeyframe)
    }
}

@Suite("SFU key frame request gate (RFC 4585 §6.3.1, RFC 5104 §4.3.1)")
struct SFUKeyframeRequestGateTests {
    static let ms: UInt64 = 1_000_000

    @Test("many viewers' PLIs become one now and at most one per interval")
    func merges() {
        var gate = KeyframeRequestGate()
        var sent = 0
        for viewer in 0..<50 {
            let goes = gate.request(now: 1000 * Self.ms + UInt64(viewer) * Self.ms)
            if goes { sent += 1 }
        }
        #expect(sent == 1)
        #expect(gate.isPending)
        let result8 = gate.poll(now: 1499 * Self.ms)
        #expect(!result8)
        let result9 = gate.poll(now: 1500 * Self.ms)
        #expect(result9)
        let result10 = gate.poll(now: 2100 * Self.ms)
        #expect(!result10)  // nothing held any more
        #expect(gate.firSequenceNumber == 2)
        let result11 = gate.request(now: 2100 * Self.ms)
        #expect(result11)  // interval passed: at once again
    }

    @Test("a key frame arriving clears held requests and mutes requests just after it")
    func keyframeArrival() {
        var gate = KeyframeRequestGate(interval: 500 * Self.ms, keyframeGrace: 200 * Self.ms)
        let result12 = gate.request(now: 0)
        #expect(result12)
        let result13 = gate.request(now: 100 * Self.ms)
        #expect(!result13)
        gate.keyframeArrived(now: 150 * Self.ms)
        #expect(!gate.isPending)
        let result14 = gate.request(now: 300 * Self.ms)
        #expect(!result14)
        #expect(!gate.isPending)
        let result15 = gate.poll(now: 600 * Self.ms)
        #expect(!result15)
        let result16 = gate.request(now: 600 * Self.ms)
        #expect(result16)
        #expect(gate.sentCount == 2)
    }
}
