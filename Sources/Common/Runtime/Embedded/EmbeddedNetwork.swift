import CLibUV
import Glibc
import Synchronization

/// An in-memory UDP network for tests, shared by the loops of an ``EmbeddedRuntime`` and by
/// the fake peers a test opens on it (``openSocket(bindingTo:)``).
///
/// Sending copies the bytes into ``inFlight``; nothing arrives until the runtime's driver
/// delivers (``EmbeddedRuntime/runUntilIdle()``). Between the two a test may look at, drop,
/// reorder or inject datagrams: ``filter`` decides at send time whether a datagram travels, is
/// lost, or is set aside in ``held`` until ``release()``. Datagrams for an address nobody
/// bound are counted (``EmbeddedTrafficCounters/undeliverable``) and dropped.
///
/// Its state sits behind a mutex because a test may read it from any task; the sockets' own
/// callbacks run only on the driver, never under the lock.
public final class EmbeddedNetwork: Sendable {
    /// What the ``filter`` does with a datagram as it is sent.
    public enum Verdict: Sendable {
        /// Put it in flight.
        case deliver
        /// Lose it.
        case drop
        /// Set it aside in ``held`` until ``release()``.
        case hold
    }

    /// Decides each sent datagram's fate; runs on the sending loop, outside the network's lock.
    public typealias Filter = @Sendable (EmbeddedDatagram) -> Verdict

    /// The first port given to a socket that asks for port 0 (then upwards, skipping ports in use).
    public static let firstEphemeralPort: UInt16 = 40_000

    private struct State {
        var bindings: [SocketAddress: EmbeddedDatagramSocket] = [:]
        var inFlight: [EmbeddedDatagram] = []
        var held: [EmbeddedDatagram] = []
        var counters: [SocketAddress: EmbeddedTrafficCounters] = [:]
        var filter: Filter?
        var nextPort = EmbeddedNetwork.firstEphemeralPort
        var nextSequence = 0

        /// The socket bound to `destination`, else one bound to the any-address on its port.
        func receiver(for destination: SocketAddress) -> EmbeddedDatagramSocket? {
            bindings[destination] ?? bindings[destination.anyAddress]
        }

        /// The next port from `nextPort` on that no socket of `family` uses.
        mutating func freePort(family: Int32) -> UInt16? {
            let used = Set(bindings.keys.lazy.filter { $0.family == family }.map(\.port))
            for _ in EmbeddedNetwork.firstEphemeralPort...UInt16.max {
                let port = nextPort
                nextPort = nextPort == .max ? EmbeddedNetwork.firstEphemeralPort : nextPort + 1
                if !used.contains(port) { return port }
            }
            return nil
        }
    }

    private let state = Mutex(State())

    /// An empty network.
    public init() {}

    // MARK: Test hooks

    /// Decides the fate of each datagram as it is sent (nil: every datagram travels).
    public var filter: Filter? {
        get { state.withLock { $0.filter } }
        set { state.withLock { $0.filter = newValue } }
    }

    /// Datagrams sent and not yet delivered, in delivery order; a test may reorder, remove or
    /// add some.
    public var inFlight: [EmbeddedDatagram] {
        get { state.withLock { $0.inFlight } }
        set { state.withLock { $0.inFlight = newValue } }
    }

    /// Datagrams the ``filter`` set aside; a test may reorder them before ``release()``.
    public var held: [EmbeddedDatagram] {
        get { state.withLock { $0.held } }
        set { state.withLock { $0.held = newValue } }
    }

    /// Puts every held datagram, in ``held``'s order, at the end of ``inFlight``.
    public func release() {
        state.withLock { state in
            state.inFlight += state.held
            state.held = []
        }
    }

    /// What happened to the datagrams sent to `destination`.
    public func counters(to destination: SocketAddress) -> EmbeddedTrafficCounters {
        state.withLock { $0.counters[destination] ?? EmbeddedTrafficCounters() }
    }

    /// What happened to all datagrams.
    public var totals: EmbeddedTrafficCounters {
        state.withLock { state in
            state.counters.values.reduce(into: EmbeddedTrafficCounters()) { $0.add($1) }
        }
    }

    /// Opens a socket that belongs to no loop, for a test's fake peer: it receives during the
    /// runtime's delivery passes like any other and stays bound until ``EmbeddedDatagramSocket/close()``.
    public func openSocket(bindingTo address: SocketAddress) throws(UVError) -> EmbeddedDatagramSocket {
        try bind(address, loop: nil)
    }

    // MARK: Sockets

    /// Binds a new socket to `address` (port 0: the next free port). Throws `EADDRINUSE` for an
    /// address already bound, as the kernel would.
    func bind(_ address: SocketAddress, loop: EmbeddedLoop?) throws(UVError) -> EmbeddedDatagramSocket {
        try state.withLock { state throws(UVError) in
            var bound = address
            if address.port == 0 {
                guard let port = state.freePort(family: address.family) else {
                    throw UVError(code: UV_EADDRNOTAVAIL.rawValue, operation: "embedded bind")
                }
                bound.setPort(port)
            } else if state.bindings[address] != nil {
                throw UVError(code: UV_EADDRINUSE.rawValue, operation: "embedded bind")
            }
            let socket = EmbeddedDatagramSocket(network: self, localAddress: bound, loop: loop)
            state.bindings[bound] = socket
            return socket
        }
    }

    func unbind(_ socket: EmbeddedDatagramSocket) {
        state.withLock { state in
            if state.bindings[socket.localAddress] === socket { state.bindings[socket.localAddress] = nil }
        }
    }

    /// Copies a sent datagram into the network and lets the filter decide where it goes.
    func transmit(from source: SocketAddress, to destination: SocketAddress, bytes: UnsafeRawBufferPointer) {
        let (datagram, filter) = state.withLock { state in
            defer { state.nextSequence += 1 }
            state.counters[destination, default: EmbeddedTrafficCounters()].sent += 1
            let datagram = EmbeddedDatagram(
                source: source, destination: destination, bytes: Array(bytes), sequence: state.nextSequence)
            return (datagram, state.filter)
        }
        let verdict = filter?(datagram) ?? .deliver
        state.withLock { state in
            switch verdict {
            case .deliver:
                state.inFlight.append(datagram)
            case .drop:
                state.counters[destination, default: EmbeddedTrafficCounters()].dropped += 1
            case .hold:
                state.counters[destination, default: EmbeddedTrafficCounters()].held += 1
                state.held.append(datagram)
            }
        }
    }

    // MARK: Delivery

    /// One delivery round: every datagram in flight now goes to the socket bound to its
    /// destination, one batch per socket (in order of first appearance, datagrams in flight
    /// order), each batch followed by the socket's `batchEnded`. Datagrams sent meanwhile wait
    /// for the next round; those for a socket not receiving yet stay in flight. Returns
    /// whether anything was delivered or dropped as undeliverable.
    func deliverInFlight() -> Bool {
        let (batches, droppedAny) = state.withLock { state in
            var batches: [(socket: EmbeddedDatagramSocket, datagrams: [EmbeddedDatagram])] = []
            var waiting: [EmbeddedDatagram] = []
            var droppedAny = false
            for datagram in state.inFlight {
                guard let socket = state.receiver(for: datagram.destination) else {
                    state.counters[datagram.destination, default: EmbeddedTrafficCounters()].undeliverable += 1
                    droppedAny = true
                    continue
                }
                if !socket.isReceiving {
                    waiting.append(datagram)
                } else if let index = batches.firstIndex(where: { $0.socket === socket }) {
                    batches[index].datagrams.append(datagram)
                } else {
                    batches.append((socket, [datagram]))
                }
            }
            state.inFlight = waiting
            return (batches, droppedAny)
        }
        var deliveredAny = false
        var leftOver: [EmbeddedDatagram] = []
        for (socket, datagrams) in batches {
            var handed = 0
            // A handler may close or stop its own socket mid-batch; the rest waits for the next round.
            while handed < datagrams.count, socket.isReceiving {
                let datagram = datagrams[handed]
                state.withLock { $0.counters[datagram.destination, default: EmbeddedTrafficCounters()].delivered += 1 }
                socket.receive(datagram)
                handed += 1
            }
            leftOver += datagrams[handed...]
            if handed > 0 {
                deliveredAny = true
                socket.endBatch()
            }
        }
        if !leftOver.isEmpty {
            state.withLock { $0.inFlight.insert(contentsOf: leftOver, at: 0) }
        }
        return deliveredAny || droppedAny
    }

    /// A line for error messages: what is still travelling or held.
    var pendingSummary: String {
        state.withLock { "\($0.inFlight.count) datagram(s) in flight, \($0.held.count) held" }
    }
}

extension SocketAddress {
    /// The any-address (0.0.0.0 or ::) of this family, on this port.
    fileprivate var anyAddress: SocketAddress {
        var address = self
        withUnsafeMutableBytes(of: &address.storage) { raw in
            switch family {
            case AF_INET: for index in 4..<8 { raw[index] = 0 }
            case AF_INET6: for index in 8..<24 { raw[index] = 0 }
            default: break
            }
        }
        return address
    }

    /// Replaces the port (`sin_port` and `sin6_port` both sit at offset 2).
    fileprivate mutating func setPort(_ port: UInt16) {
        withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self) }
    }
}
