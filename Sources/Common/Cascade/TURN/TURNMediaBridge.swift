import MeshRTC
import MeshRuntime
import MeshWire

/// The in-process path between the TURN relay and the node's own media workers (issue 13,
/// item 3): a payload a client relays to one of the node's media ports is handed to the worker
/// that owns that port as if it came from the allocation's relayed address, and what the worker
/// sends back to that address is handed to the relay, which wraps it for the client. No
/// relayed socket, no loopback, no system call in between.
///
/// The relay runs on one worker (``relayWorker``). Sessions on that worker are reached by a
/// direct call; those on the others through a ``DatagramHandoff`` each way (a preallocated ring,
/// one wake-up per burst), so nothing allocates per packet. What goes back to UDP clients is
/// batched by the relay (``TURNClientBatch``) and flushed where each burst ends: after the relay
/// worker's send batch, after each drain of a handoff to the relay.
final class TURNMediaBridge: @unchecked Sendable {
    let engine: MediaEngine
    /// The worker the relay runs on.
    let relayWorker: Int
    /// The node's own media addresses (announced and bound IP, each worker's port) → worker.
    let workerOfMedia: [STUNTransportAddress: Int]
    /// The address a client sees for worker `k`'s media port (the announced one): the peer of
    /// what the worker sends back.
    let mediaAddresses: [STUNTransportAddress]
    /// Relay → worker `k`, for every worker but the relay's own. Set up by ``connect(to:)``.
    private(set) var toWorker: [DatagramHandoff?] = []
    /// Worker `k` → relay, for every worker but the relay's own.
    private(set) var toRelay: [DatagramHandoff?] = []
    /// Datagrams a worker may have waiting in one handoff.
    static let handoffCapacity = 4096

    init(engine: MediaEngine, relayWorker: Int, own: [STUNTransportAddress: Int], announced: STUNIPAddress) {
        self.engine = engine
        self.relayWorker = relayWorker
        workerOfMedia = own
        let ports = own.reduce(into: [Int: UInt16]()) { $0[$1.value] = $1.key.port }
        mediaAddresses = (0..<engine.workerCount).map { STUNTransportAddress(ip: announced, port: ports[$0] ?? 0) }
    }

    /// Opens the handoffs and every worker's in-process side, for `relay` (which runs on
    /// ``relayWorker``). Call once, off the workers.
    func connect(to relay: TURNRelay) async throws {
        let count = engine.workerCount
        let engine = engine
        let relayWorker = relayWorker
        var toWorker: [DatagramHandoff?] = Array(repeating: nil, count: count)
        var toRelay: [DatagramHandoff?] = Array(repeating: nil, count: count)
        for worker in 0..<count where worker != relayWorker {
            toWorker[worker] = try await engine.loop(ofWorker: worker).run {
                try DatagramHandoff(
                    consumer: engine.loop(ofWorker: worker), capacity: Self.handoffCapacity,
                    receive: { bytes, relayed in engine.receiveInProcess(bytes, from: relayed, worker: worker) },
                    afterDrain: { engine.flushInProcess(worker: worker) })
            }
            toRelay[worker] = try await engine.loop(ofWorker: relayWorker).run {
                try DatagramHandoff(
                    consumer: engine.loop(ofWorker: relayWorker), capacity: Self.handoffCapacity,
                    receive: { bytes, relayed in
                        _ = relay.fromMedia(UnsafeRawBufferPointer(bytes), worker: worker, to: relayed)
                    },
                    afterDrain: { relay.flushClients() })
            }
        }
        self.toWorker = toWorker
        self.toRelay = toRelay
        for worker in 0..<count {
            let handoff = toRelay[worker]
            try await engine.loop(ofWorker: worker).run {
                // The relay's own worker calls it directly and ends each burst with a flush to the
                // clients; the others' bursts end with the drain of their handoff on the relay's side.
                engine.openInProcessPath(
                    worker: worker,
                    handOver: { bytes, relayed in
                        guard let handoff else { return relay.fromMedia(bytes, worker: worker, to: relayed) }
                        return handoff.send(bytes, address: relayed)
                    },
                    handedOverBurst: handoff == nil ? { relay.flushClients() } : nil)
            }
        }
    }

    /// Hands `payload`, relayed from `relayed` to the node's media address `peer`, to the worker
    /// that owns `peer`; nil when `peer` is not the node's own media, false when the worker's
    /// handoff is full. Relay worker only.
    func deliver(_ payload: UnsafeRawBufferPointer, to peer: STUNTransportAddress, from relayed: STUNTransportAddress)
        -> Bool?
    {
        guard let worker = workerOfMedia[peer] else { return nil }
        let source = SocketAddress(turn: relayed)
        guard let handoff = toWorker[worker] else {
            engine.receiveInProcess(UnsafeMutableRawBufferPointer(mutating: payload), from: source, worker: worker)
            return true
        }
        return handoff.send(payload, address: source)
    }

    /// Sends what in-process datagrams made the relay's own worker batch. Relay worker only.
    func flush() {
        engine.flushInProcess(worker: relayWorker)
    }

    /// The allocation at `relayed` ended: every worker sends to it through the kernel again.
    /// Relay worker only.
    func forget(_ relayed: STUNTransportAddress) {
        let address = SocketAddress(turn: relayed)
        for worker in 0..<engine.workerCount {
            if worker == relayWorker {
                engine.closeInProcessAddress(address, worker: worker)
            } else {
                let engine = engine
                engine.loop(ofWorker: worker).post { engine.closeInProcessAddress(address, worker: worker) }
            }
        }
    }
}
