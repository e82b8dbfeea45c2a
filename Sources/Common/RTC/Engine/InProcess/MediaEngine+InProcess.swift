import MeshRuntime

// The in-process path to a worker's media port (issue 13, item 3): something in this process
// that relays for the node's clients (the TURN relay) hands a worker datagrams as if they came
// from an address it serves (an allocation's relayed address), and takes back what the worker's
// sessions send to that address, without a socket in between. The engine knows nothing of TURN.

extension MediaEngine {
    /// How many media workers the engine runs; worker `k` listens on the first port + `k`.
    public var workerCount: Int { workers.count }

    /// The loop worker `index` runs on.
    public func loop(ofWorker index: Int) -> any MediaLoop { workers[index].loop }

    /// Opens the in-process side of worker `index`'s socket: from now on what its sessions send
    /// to an address that arrived through ``receiveInProcess(_:from:worker:)`` goes to
    /// `handOver` (on the worker's thread; false when it could not take the datagram) instead of
    /// the kernel; `handedOverBurst` runs once after each send or send batch that handed
    /// datagrams over (where a taker that batches them flushes). Worker `index`'s thread only; once.
    public func openInProcessPath(
        worker index: Int, handOver: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Bool,
        handedOverBurst: (() -> Void)? = nil
    ) {
        let media = workers[index]
        guard media.inProcess == nil, let kernel = media.output.socket else { return }
        let divert = InProcessDivert(kernel: kernel, handOver: handOver, handedOverBurst: handedOverBurst)
        media.inProcess = divert
        media.output.socket = divert
    }

    /// One datagram for worker `index`'s media port from `from`, received as if from the kernel
    /// (it may be changed in place); replies to `from` come back through the worker's
    /// `handOver`. Call ``flushInProcess(worker:)`` after a burst. Worker `index`'s thread only.
    public func receiveInProcess(_ bytes: UnsafeMutableRawBufferPointer, from: SocketAddress, worker index: Int) {
        let media = workers[index]
        media.inProcess?.learn(from)
        media.receive(UnsafeRawBufferPointer(bytes), from: from)
    }

    /// Ends a burst of in-process datagrams as a receive batch ends: handshakes put off are
    /// taken up, and what the datagrams made worker `index` batch is sent. Worker `index`'s
    /// thread only.
    public func flushInProcess(worker index: Int) {
        workers[index].endReceiveBatch()
    }

    /// `address` is no longer served in-process (its allocation ended): worker `index` sends to
    /// it through the kernel again. Worker `index`'s thread only.
    public func closeInProcessAddress(_ address: SocketAddress, worker index: Int) {
        workers[index].inProcess?.forget(address)
    }

    /// Datagrams (and bytes) worker `index` handed over in-process, and those refused.
    /// Worker `index`'s thread only.
    public func inProcessCounts(worker index: Int) -> (datagrams: Int, bytes: Int, refused: Int) {
        guard let divert = workers[index].inProcess else { return (0, 0, 0) }
        return (divert.handedOver, divert.bytesHandedOver, divert.refused)
    }
}
