/// Turns 16-bit RTP sequence numbers into a monotonic 64-bit count (RFC 3550 §A.1: the
/// extended sequence number is the wrap count times 2^16 plus the sequence number).
///
/// A number within half the space (32768) ahead of the highest seen moves forward, across a
/// wrap if needed; anything else is a late or reordered packet and maps behind the highest.
/// The first number maps to itself, so values stay meaningful in an RR's extended-highest field.
public struct SequenceUnwrapper: Sendable {
    /// The highest extended sequence number seen, `nil` before the first.
    public private(set) var highest: Int64?

    /// An unwrapper that has seen nothing.
    public init() {}

    /// The extended form of `sequence`, updating the highest when it moves forward.
    public mutating func unwrap(_ sequence: UInt16) -> Int64 {
        let extended = peek(sequence)
        if extended > (highest ?? .min) { highest = extended }
        return extended
    }

    /// The extended form of `sequence` without recording it.
    public func peek(_ sequence: UInt16) -> Int64 {
        guard let highest else { return Int64(sequence) }
        let delta = Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: highest))
        return highest &+ Int64(delta)
    }
}
