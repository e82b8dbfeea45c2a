/// An inclusive range of UDP ports, written `40000-40099` in a topology.
public struct PortRange: Sendable, Equatable, CustomStringConvertible {
    /// The first port of the range.
    public var first: UInt16
    /// The last port of the range, never below `first`.
    public var last: UInt16

    /// Creates a range; returns `nil` when `last` comes before `first`.
    public init?(first: UInt16, last: UInt16) {
        guard first <= last else { return nil }
        self.first = first
        self.last = last
    }

    /// How many ports the range holds.
    public var count: Int { Int(last) - Int(first) + 1 }

    /// Whether the two ranges share at least one port.
    public func overlaps(_ other: PortRange) -> Bool {
        first <= other.last && other.first <= last
    }

    /// The range as a topology writes it: `40000-40099`.
    public var description: String { "\(first)-\(last)" }
}
