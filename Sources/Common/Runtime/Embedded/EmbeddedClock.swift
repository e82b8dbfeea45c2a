import Synchronization

/// A clock that moves only when a test moves it (``advance(by:)``, or
/// ``EmbeddedRuntime/advanceTime(by:)``, which also fires the timers on the way).
///
/// It starts at a fixed, non-zero time, so code that subtracts a few seconds from `now` does
/// not wrap, and its NTP time is a fixed date plus the same elapsed time, so a test can check
/// the NTP/RTP pairs of sender reports exactly.
public final class EmbeddedClock: MonotonicClock {
    /// Where ``now()`` starts unless told otherwise: 1000 s.
    public static let defaultStart: UInt64 = 1_000_000_000_000
    /// Where ``ntpNow()`` starts: 2024-01-01 00:00:00 UTC in NTP seconds.
    public static let ntpStartSeconds: UInt64 = 1_704_067_200 + SystemClock.ntpUnixOffset

    /// The time ``now()`` had when the clock was made.
    public let start: UInt64
    private let nanoseconds: Atomic<UInt64>

    /// A clock reading `start` nanoseconds until it is advanced.
    public init(start: UInt64 = EmbeddedClock.defaultStart) {
        self.start = start
        nanoseconds = Atomic(start)
    }

    public func now() -> UInt64 { nanoseconds.load(ordering: .acquiring) }

    public func ntpNow() -> UInt64 {
        let elapsed = now() - start
        let seconds = Self.ntpStartSeconds + elapsed / 1_000_000_000
        let fraction = ((elapsed % 1_000_000_000) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }

    /// Moves the clock forward by `duration` (not negative). Timers do not fire by
    /// themselves: the next ``EmbeddedRuntime/runUntilIdle()`` fires those now due.
    public func advance(by duration: Duration) {
        nanoseconds.wrappingAdd(Self.nanoseconds(of: duration), ordering: .acquiringAndReleasing)
    }

    /// Moves the clock to `time` if that is later than now (a monotonic clock never goes back).
    func advance(to time: UInt64) {
        _ = nanoseconds.max(time, ordering: .acquiringAndReleasing)
    }

    /// `duration` in whole nanoseconds; a negative duration is a test bug.
    static func nanoseconds(of duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        precondition(seconds >= 0 && attoseconds >= 0, "an embedded clock cannot go back (\(duration))")
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
