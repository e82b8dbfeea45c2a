/// A datagram on an ``EmbeddedNetwork``: who sent it, where to, a copy of its bytes, and the
/// order it was sent in (so a test can tell a reordering from the original).
public struct EmbeddedDatagram: Sendable, Equatable, CustomStringConvertible {
    /// The sending socket's bound address.
    public var source: SocketAddress
    /// The address it was sent to.
    public var destination: SocketAddress
    /// The payload, copied when it was sent.
    public var bytes: [UInt8]
    /// Send order on its network, from 0.
    public var sequence: Int

    /// A datagram as a test might inject it (``EmbeddedNetwork/inFlight`` is writable).
    public init(source: SocketAddress, destination: SocketAddress, bytes: [UInt8], sequence: Int) {
        self.source = source
        self.destination = destination
        self.bytes = bytes
        self.sequence = sequence
    }

    public var description: String { "#\(sequence) \(source) → \(destination) (\(bytes.count) bytes)" }
}

/// What an ``EmbeddedNetwork`` did with the datagrams sent to one address (or to all).
public struct EmbeddedTrafficCounters: Sendable, Equatable {
    /// Datagrams sent to it.
    public var sent = 0
    /// Dropped by the network's filter.
    public var dropped = 0
    /// Set aside by the filter (``EmbeddedNetwork/held``), whether released since or not.
    public var held = 0
    /// Handed to a receiving socket.
    public var delivered = 0
    /// Found no socket bound to the address when their turn came, and were dropped.
    public var undeliverable = 0

    /// All zero.
    public init() {}

    /// Adds `other` field by field.
    mutating func add(_ other: EmbeddedTrafficCounters) {
        sent += other.sent
        dropped += other.dropped
        held += other.held
        delivered += other.delivered
        undeliverable += other.undeliverable
    }
}
