/// A point in wall-clock time, in milliseconds since the Unix epoch.
///
/// The TURN server is clock-injected: every call that depends on time takes the caller's
/// `now`, so tests advance time by hand and nothing here reads a clock. Wall-clock time (not a
/// monotonic one) because TURN REST usernames carry a Unix expiry (draft-uberti-behave-turn-rest
/// §2.2) that must be compared against the same clock that minted it.
public struct TURNInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// An instant from milliseconds since the epoch.
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// An instant from whole seconds since the epoch.
    public init(seconds: Int64) { self.milliseconds = seconds &* 1000 }

    /// Whole seconds since the epoch, rounded down.
    public var seconds: Int64 { milliseconds / 1000 }

    /// This instant moved by `seconds`.
    public func adding(seconds: Int64) -> TURNInstant { TURNInstant(milliseconds: milliseconds &+ seconds &* 1000) }

    /// This instant moved by `milliseconds`.
    public func adding(milliseconds: Int64) -> TURNInstant {
        TURNInstant(milliseconds: self.milliseconds &+ milliseconds)
    }

    public static func < (lhs: TURNInstant, rhs: TURNInstant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public var description: String { "\(milliseconds) ms" }
}
