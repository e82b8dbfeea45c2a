/// Packets counted by the second they arrived in (the receive timestamp a viewer takes for
/// each datagram), not by when the run's loop got round to tallying them: a loop that stalls
/// for five seconds and then tallies shows five ordinary seconds, not one spike and four zeros.
///
/// What a timestamp cannot tell is a stall of the worker itself: packets then wait in the
/// socket buffer and are read, and stamped, in a burst after it. So each tick of the worker's
/// timer is noted, and a tick much later than its period marks the seconds it spanned as late
/// (their counts may belong to the seconds before).
///
/// A fixed ring of ``ringSize`` seconds, drained by the run every second: allocation-free per
/// packet. Worker thread only.
final class ArrivalSeconds {
    /// One completed second's count.
    struct Second: Equatable, Sendable {
        /// The second `[index, index + 1)` after the origin.
        var index: Int
        /// Packets stamped in it.
        var packets: Int
        /// The worker stalled in or into it, so some of its packets may have arrived earlier.
        var late: Bool
    }

    /// Seconds the ring holds: a drain later than this loses the oldest (the run drains each second).
    static let ringSize = 64
    /// A timer tick this much later than the previous one means the worker was stalled.
    static let stallNanoseconds: UInt64 = 250_000_000

    private var slots = [Second](repeating: Second(index: -1, packets: 0, late: false), count: ringSize)
    /// Monotonic ns of second 0.
    private(set) var origin: UInt64 = 0
    /// The first second not drained yet.
    private var nextToDrain = 0
    private var lastTick: UInt64?

    /// Starts counting from `origin` (monotonic ns), forgetting everything before.
    func start(at origin: UInt64) {
        self.origin = origin
        nextToDrain = 0
        lastTick = nil
        for index in slots.indices { slots[index] = Second(index: -1, packets: 0, late: false) }
    }

    /// The second `now` falls in (0 before the origin).
    func second(of now: UInt64) -> Int {
        now > origin ? Int((now - origin) / 1_000_000_000) : 0
    }

    /// Counts one packet stamped `now`.
    func record(at now: UInt64) {
        let index = second(of: now)
        slots[slot(for: index)].packets &+= 1
    }

    /// Notes a tick of the worker's timer at `now`; a long gap since the previous tick marks
    /// every second it spanned as late.
    func noteTick(at now: UInt64) {
        defer { lastTick = now }
        guard let lastTick, now > lastTick, now - lastTick >= Self.stallNanoseconds else { return }
        let last = second(of: now)
        for index in max(second(of: lastTick), last - Self.ringSize + 1)...last where index >= nextToDrain {
            slots[slot(for: index)].late = true
        }
    }

    /// The seconds before `end` not drained yet, oldest first (at most ``ringSize``); a second
    /// with no packet has a count of zero.
    func drain(before end: Int) -> [Second] {
        guard end > nextToDrain else { return [] }
        let first = max(nextToDrain, end - Self.ringSize)
        let seconds = (first..<end).map { index in
            let held = slots[index & (Self.ringSize - 1)]
            return held.index == index ? held : Second(index: index, packets: 0, late: false)
        }
        nextToDrain = end
        return seconds
    }

    /// The ring slot of `index`, emptied first if it still holds an older second.
    private func slot(for index: Int) -> Int {
        let slot = index & (Self.ringSize - 1)
        if slots[slot].index != index { slots[slot] = Second(index: index, packets: 0, late: false) }
        return slot
    }
}
