import MeshWire
import Testing

@testable import MeshRTC

/// A new stream under the same SSRC. An origin keeps a layer's mesh SSRC when its publisher
/// reconnects, so behind a relay link the new publisher's packets come under the old SSRC with
/// a new random sequence number and timestamp (RFC 3550 §5.1). RFC 3550 §A.1 treats a jump
/// past MAX_DROPOUT (3000) ahead, or a misordering beyond what can still be repaired, as a
/// restarted source; so does the forwarder, and a timestamp that did not keep pace with the
/// wall clock too. It then starts again on the new stream's key frame, numbered on from the
/// viewer's last packet.
@Suite("SFU viewer track forwarder, a restarted source under one SSRC (RFC 3550 §A.1)")
struct SFUViewerTrackForwarderRestartTests {
    static let ms: UInt64 = 1_000_000
    typealias Base = SFUViewerTrackForwarderTests

    /// Forwards packet `sequence` of layer 0 at `now`; the viewer's sequence number and
    /// timestamp, or `nil` when nothing was sent.
    static func send(
        _ forwarder: ViewerTrackForwarder, _ sequence: UInt16, now: UInt64, out: UnsafeMutableRawBufferPointer
    ) throws -> (sequence: UInt16, timestamp: UInt32)? {
        guard let length = forwarder.forward(layer: 0, sequence: sequence, now: now, into: out) else { return nil }
        let view = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: out[0..<length]))
        return (view.sequenceNumber, view.timestamp)
    }

    /// A forwarder that has sent source packets 1000...1010 (30 ms apart, key frame first) as
    /// viewer packets 100...110; returns it with its histories and the last one sent.
    static func running(out: UnsafeMutableRawBufferPointer) throws -> (
        ViewerTrackForwarder, [PacketHistory], (sequence: UInt16, timestamp: UInt32)
    ) {
        let (forwarder, histories) = Base.makeForwarder(rtx: false)
        var last: (sequence: UInt16, timestamp: UInt32)?
        for index in 0...10 {
            let sequence = UInt16(1000 + index)
            Base.publish(histories, layer: 0, sequence: sequence, timestamp: 2700 * UInt32(index), key: index == 0)
            last = try send(forwarder, sequence, now: 30 * Self.ms * UInt64(index), out: out)
        }
        return (forwarder, histories, try #require(last))
    }

    @Test("a new stream numbered just behind the newest restarts at its key frame instead of reusing numbers")
    func restartBehind() throws {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let (forwarder, histories, last) = try Self.running(out: out)
        #expect(last.sequence == 110)
        // 1 s later the new publisher's key frame, numbered 1004 and timed at random.
        Base.publish(histories, layer: 0, sequence: 1004, timestamp: 1_234_567_890, key: true)
        let restarted = try #require(try Self.send(forwarder, 1004, now: 1300 * Self.ms, out: out))
        #expect(restarted.sequence == 111)
        #expect(restarted.timestamp == last.timestamp &+ 90_000)  // 1 s of wall time at 90 kHz
        Base.publish(histories, layer: 0, sequence: 1005, timestamp: 1_234_567_890 &+ 2700)
        #expect(try Self.send(forwarder, 1005, now: 1330 * Self.ms, out: out)?.sequence == 112)
    }

    @Test("a jump past MAX_DROPOUT ahead is a new stream: its delta frames wait for its key frame")
    func restartAhead() throws {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let (forwarder, histories, _) = try Self.running(out: out)
        _ = forwarder.takeKeyframeRequest()
        Base.publish(histories, layer: 0, sequence: 9000, timestamp: 30_000)
        #expect(try Self.send(forwarder, 9000, now: 400 * Self.ms, out: out) == nil)
        #expect(forwarder.takeKeyframeRequest() == 0)
        Base.publish(histories, layer: 0, sequence: 9001, timestamp: 32_700, key: true)
        #expect(try Self.send(forwarder, 9001, now: 430 * Self.ms, out: out)?.sequence == 111)
    }

    @Test("close numbers but a timestamp that did not keep pace with the wall clock: another stream")
    func restartOnClock() throws {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let (forwarder, histories, _) = try Self.running(out: out)
        Base.publish(histories, layer: 0, sequence: 1012, timestamp: 3_000_000_000, key: true)
        let restarted = try #require(try Self.send(forwarder, 1012, now: 600 * Self.ms, out: out))
        #expect(restarted.sequence == 111)  // not 112: the source's gap is not the viewer's
    }

    @Test("the same stream after a pause, and a late repair within the history, keep their numbering")
    func sameSourceKept() throws {
        let out = makeOutputBuffer()
        defer { out.deallocate() }
        let (forwarder, histories, last) = try Self.running(out: out)
        // 10 s without packets (a muted camera), timestamps in pace with the wall clock.
        Base.publish(histories, layer: 0, sequence: 1011, timestamp: 2700 * 10 + 900_000)
        let paused = try #require(try Self.send(forwarder, 1011, now: 10_300 * Self.ms, out: out))
        #expect(paused.sequence == 111)
        #expect(paused.timestamp == last.timestamp &+ 900_000)
        // 1012 is lost and 1013 arrives; 1012 comes 40 ms late (a repair by NACK).
        Base.publish(histories, layer: 0, sequence: 1013, timestamp: 2700 * 12 + 900_000)
        #expect(try Self.send(forwarder, 1013, now: 10_360 * Self.ms, out: out)?.sequence == 113)
        Base.publish(histories, layer: 0, sequence: 1012, timestamp: 2700 * 11 + 900_000)
        #expect(try Self.send(forwarder, 1012, now: 10_400 * Self.ms, out: out)?.sequence == 112)
    }
}
