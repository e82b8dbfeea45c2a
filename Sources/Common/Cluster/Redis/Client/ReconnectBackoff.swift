/// The wait before each reconnect attempt: exponential from `initial`, capped at `maximum`,
/// each delay spread by ±`jitter` so that a mesh of nodes does not reconnect in lock-step.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The first delay after a failure.
    public var initial: Duration
    /// The longest delay, reached after repeated failures.
    public var maximum: Duration
    /// The fraction (0...1) by which each delay is randomly stretched or shrunk.
    public var jitter: Double
    private var failures = 0

    /// 100 ms doubling to 5 s, ±20 %, unless told otherwise.
    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5), jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before the next attempt; each call counts one more failure.
    public mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        // Cap the exponent so the multiplication never overflows however long Redis stays away.
        let doublings = min(failures, 30)
        failures += 1
        let base = min(initial * (1 << doublings), maximum)
        guard jitter > 0 else { return base }
        return base * Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
    }

    /// `nextDelay(using:)` with the system's random numbers.
    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    /// Starts again from `initial` (after a successful connect).
    public mutating func reset() {
        failures = 0
    }
}
