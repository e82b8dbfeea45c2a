import Dispatch
import MeshWire
import Testing

@testable import MeshRTC

@Suite("SFU packet history")
struct SFUPacketHistoryTests {
    @Test("a stored packet loads back with its sequence, arrival and flags")
    func roundTrip() throws {
        let history = PacketHistory(capacity: 16)
        let packet = SFUTestPacket.rtp(sequence: 7, timestamp: 90, ssrc: 1, marker: true, payload: [1, 2, 3])
        packet.withRaw { #expect(history.store($0, sequence: 7, arrival: 1234, isKeyframeStart: true)) }
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let stored = try #require(history.load(sequence: 7, into: out))
        #expect(
            stored
                == StoredPacket(
                    length: packet.count, extendedSequence: 7, arrival: 1234, isKeyframeStart: true, marker: true))
        #expect(Array(out[0..<stored.length]) == packet)
        #expect(history.load(sequence: 8, into: out) == nil)
    }

    @Test("a slot reused by a packet one ring later no longer answers for the old number")
    func overwritten() {
        let history = PacketHistory(capacity: 4)
        for sequence in UInt16(0)..<5 {
            SFUTestPacket.rtp(sequence: sequence, timestamp: 0, ssrc: 1, payload: [UInt8(sequence)]).withRaw {
                _ = history.store($0, sequence: sequence, arrival: 0, isKeyframeStart: false)
            }
        }
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        #expect(history.load(sequence: 0, into: out) == nil)
        #expect(history.load(sequence: 4, into: out)?.extendedSequence == 4)
        #expect(history.load(sequence: 1, into: out)?.extendedSequence == 1)
    }

    @Test("sequence numbers unwrap across 65535 → 0 (RFC 3550 §A.1)")
    func wrap() {
        let history = PacketHistory(capacity: 8)
        for sequence: UInt16 in [65534, 65535, 0, 1] {
            SFUTestPacket.rtp(sequence: sequence, timestamp: 0, ssrc: 1, payload: [0]).withRaw {
                _ = history.store($0, sequence: sequence, arrival: 0, isKeyframeStart: false)
            }
        }
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        #expect(history.load(sequence: 1, into: out)?.extendedSequence == 65537)
        #expect(history.load(sequence: 65535, into: out)?.extendedSequence == 65535)
    }

    @Test("packets larger than a slot, shorter than an RTP header, or larger than the reader's buffer are refused")
    func sizes() {
        let history = PacketHistory(capacity: 4, slotSize: 100)
        let big = SFUTestPacket.rtp(sequence: 1, timestamp: 0, ssrc: 1, payload: [UInt8](repeating: 0, count: 100))
        big.withRaw { #expect(!history.store($0, sequence: 1, arrival: 0, isKeyframeStart: false)) }
        [UInt8](repeating: 0x80, count: 11).withRaw {
            #expect(!history.store($0, sequence: 2, arrival: 0, isKeyframeStart: false))
        }
        let fits = SFUTestPacket.rtp(sequence: 3, timestamp: 0, ssrc: 1, payload: [UInt8](repeating: 0, count: 50))
        fits.withRaw { #expect(history.store($0, sequence: 3, arrival: 0, isKeyframeStart: false)) }
        let small = makeOutputBuffer(20)
        defer { small.deallocate() }
        #expect(history.load(sequence: 3, into: small) == nil)
    }

    @Test("a reader racing the writer never gets a torn packet")
    func concurrentReadersSeeWholePackets() {
        let history = PacketHistory(capacity: 64, slotSize: 1500)
        let rounds = 200_000
        let torn = Counter()
        let good = Counter()
        DispatchQueue.concurrentPerform(iterations: 2) { role in
            if role == 0 {
                // The writer: packet n is 12 + (n % 1000) + 20 bytes, every byte after the
                // header equal to the low byte of n, so a mix of two packets shows.
                let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: 1100, alignment: 16)
                defer { packet.deallocate() }
                for round in 0..<rounds {
                    let sequence = UInt16(truncatingIfNeeded: round)
                    let length = 32 + round % 1000
                    packet.initializeMemory(as: UInt8.self, repeating: UInt8(truncatingIfNeeded: round))
                    packet[0] = 0x80
                    packet[1] = 96
                    _ = history.store(
                        UnsafeRawBufferPointer(rebasing: packet[0..<length]), sequence: sequence,
                        arrival: UInt64(round),
                        isKeyframeStart: false)
                }
            } else {
                let out = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
                defer { out.deallocate() }
                var local = (torn: 0, good: 0)
                for attempt in 0..<rounds {
                    guard let stored = history.load(sequence: UInt16(truncatingIfNeeded: attempt / 2), into: out) else {
                        continue
                    }
                    let round = Int(stored.arrival)
                    let expectedByte = UInt8(truncatingIfNeeded: round)
                    let whole =
                        stored.length == 32 + round % 1000
                        && UInt16(truncatingIfNeeded: round) == UInt16(truncatingIfNeeded: stored.extendedSequence)
                        && out[12..<stored.length].allSatisfy { $0 == expectedByte }
                    if whole { local.good += 1 } else { local.torn += 1 }
                }
                torn.add(local.torn)
                good.add(local.good)
            }
        }
        #expect(torn.value == 0)
        #expect(good.value > 0)
    }
}

/// A counter the two racing threads report into once each.
final class Counter: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var total = 0
    func add(_ amount: Int) {
        lock.wait()
        total += amount
        lock.signal()
    }
    var value: Int {
        lock.wait()
        defer { lock.signal() }
        return total
    }
}
