import Testing

@testable import MeshBench

@Suite("per-second figures by arrival")
struct ArrivalSecondsTests {
    static let second: UInt64 = 1_000_000_000
    static let origin: UInt64 = 50 * second

    /// `perSecond` packets in each of `seconds` seconds, stamped evenly through each second.
    static func feed(_ arrivals: ArrivalSeconds, seconds: Range<Int>, perSecond: Int) {
        for index in seconds {
            for packet in 0..<perSecond {
                arrivals.record(at: origin + UInt64(index) * second + UInt64(packet) * (second / UInt64(perSecond)))
            }
        }
    }

    @Test("a run loop that tallies after a 10 s stall books every packet into the second it arrived in: no spike")
    func loopStall() {
        let arrivals = ArrivalSeconds()
        arrivals.start(at: Self.origin)
        Self.feed(arrivals, seconds: 0..<2, perSecond: 100)
        #expect(arrivals.drain(before: 2).map(\.packets) == [100, 100])
        // The loop sleeps through seconds 2…11 while packets keep arriving, then tallies once.
        Self.feed(arrivals, seconds: 2..<12, perSecond: 100)
        let late = arrivals.drain(before: 12)
        #expect(late.map(\.index) == Array(2..<12))
        #expect(late.allSatisfy { $0.packets == 100 && !$0.late })
        // Nothing is counted twice, and a second with no packet reads zero.
        #expect(arrivals.drain(before: 12).isEmpty)
        #expect(arrivals.drain(before: 13) == [.init(index: 12, packets: 0, late: false)])
    }

    @Test("the timeline gets one point per arrival second, each with its own count, however late it was drained")
    func timelineFromStalledSamples() {
        let arrivals = ArrivalSeconds()
        arrivals.start(at: Self.origin)
        var timeline = RunTimeline()
        Self.feed(arrivals, seconds: 0..<1, perSecond: 1000)
        timeline.add(seconds: arrivals.drain(before: 1), expected: 1000, lost: 0, watching: 10, latency: .empty)
        Self.feed(arrivals, seconds: 1..<6, perSecond: 1000)
        let added = timeline.add(
            seconds: arrivals.drain(before: 6), expected: 6000, lost: 50, watching: 10, latency: .empty)
        #expect(added.count == 5)
        #expect(timeline.points.map(\.t) == [1, 2, 3, 4, 5, 6])
        #expect(timeline.points.map(\.packetsPerSecond).allSatisfy { $0 == 1000 })
        #expect(added.allSatisfy { $0.lossPercent == 1 && $0.late == nil })
    }

    @Test("a stall of the viewers' worker (a tick 2 s late) marks the seconds it spanned as late, not as a spike")
    func workerStall() {
        let arrivals = ArrivalSeconds()
        arrivals.start(at: Self.origin)
        let tick = Self.second / 100
        for step in 0..<150 { arrivals.noteTick(at: Self.origin + UInt64(step) * tick) }
        // Ticks stop at 1.49 s; the next runs at 3.6 s, and the socket backlog is read then.
        arrivals.noteTick(at: Self.origin + 3_600_000_000)
        Self.feed(arrivals, seconds: 0..<1, perSecond: 50)
        for _ in 0..<300 { arrivals.record(at: Self.origin + 3_600_000_000) }
        let seconds = arrivals.drain(before: 5)
        #expect(seconds.map(\.late) == [false, true, true, true, false])
        #expect(seconds.map(\.packets) == [50, 0, 0, 300, 0])
        var timeline = RunTimeline()
        timeline.add(seconds: seconds, expected: 0, lost: 0, watching: 1, latency: .empty)
        #expect(timeline.points.map(\.late) == [nil, true, true, true, nil])
    }

    @Test("the progress line says when its second was late")
    func progressLate() {
        let line = ProgressLine.render(
            elapsedSeconds: 4, viewersConnected: 1, viewersTarget: 1, packetsPerSecond: 300, lossPercent: 0,
            latencyP50Ms: 1, latencyP99Ms: 2, late: true)
        #expect(line.contains("packets/s 300 (late)"))
    }
}
