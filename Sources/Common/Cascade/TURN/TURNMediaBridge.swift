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
/// batched by the relay (a `DatagramBatch`) and flushed where each burst ends: after the relay
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
    /// Relay → worker `k`, for every worker but the relay's own. Set up by
    /// ``connect(to:portRelays:)``; all `nil` for a port relay's bridge, which reaches its own
    /// worker only.
    private(set) var toWorker: [DatagramHandoff?]
    /// Worker `k` → relay, for every worker but the relay's own.
    private(set) var toRelay: [DatagramHandoff?]
    /// Datagrams a worker may have waiting in one handoff.
    static let handoffCapacity = 4096

    init(engine: MediaEngine, relayWorker: Int, own: [STUNTransportAddress: Int], announced: STUNIPAddress) {
        self.engine = engine
        self.relayWorker = relayWorker
        workerOfMedia = own
        let ports = own.reduce(into: [Int: UInt16]()) { $0[$1.value] = $1.key.port }
        mediaAddresses = (0..<engine.workerCount).map { STUNTransportAddress(ip: announced, port: ports[$0] ?? 0) }
        toWorker = Array(repeating: nil, count: engine.workerCount)
        toRelay = toWorker
    }

    /// Opens the handoffs and every worker's in-process side, for `relay` (which runs on
    /// ``relayWorker``) and the relays on the workers' own media ports, `portRelays[k]` on
    /// worker `k` (``TURNRelay/serveMediaPort(of:worker:ownMedia:announced:)``): what a worker's
    /// sessions send to an in-process address goes to its port relay when one of that relay's
    /// allocations has it (a direct call, the same thread), else to `relay`. Call once, off the
    /// workers.
    func connect(to relay: TURNRelay, portRelays: [TURNRelay?] = []) async throws {
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
            let port = worker < portRelays.count ? portRelays[worker] : nil
            try await engine.loop(ofWorker: worker).run {
                // The relay's own worker calls it directly and ends each burst with a flush to the
                // clients; the others' bursts end with the drain of their handoff on the relay's side.
                // A port relay is on the worker's own thread: a direct call, flushed at the burst's end.
                let toNodeRelay: (UnsafeRawBufferPointer, SocketAddress) -> Bool = { bytes, relayed in
                    guard let handoff else { return relay.fromMedia(bytes, worker: worker, to: relayed) }
                    return handoff.send(bytes, address: relayed)
                }
                let flushNodeRelay: (() -> Void)? = handoff == nil ? { relay.flushClients() } : nil
                guard let port else {
                    return engine.openInProcessPath(
                        worker: worker, handOver: toNodeRelay, handedOverBurst: flushNodeRelay)
                }
                engine.openInProcessPath(
                    worker: worker,
                    handOver: { bytes, relayed in
                        port.fromMediaIfOwned(bytes, worker: worker, to: relayed) ?? toNodeRelay(bytes, relayed)
                    },
                    handedOverBurst: {
                        port.flushClients()
                        flushNodeRelay?()
                    })
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

    /// The allocation at `relayed` ended: every worker this bridge reaches sends to it through
    /// the kernel again. Relay worker only.
    func forget(_ relayed: STUNTransportAddress) {
        let address = SocketAddress(turn: relayed)
        for worker in Set(workerOfMedia.values) {
            if worker == relayWorker {
                engine.closeInProcessAddress(address, worker: worker)
            } else {
                let engine = engine
                engine.loop(ofWorker: worker).post { engine.closeInProcessAddress(address, worker: worker) }
            }
        }
    }
}
