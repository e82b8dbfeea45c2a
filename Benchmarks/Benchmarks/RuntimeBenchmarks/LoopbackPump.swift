import MeshRuntime

/// Pushes 1200-byte datagrams from one UDP socket to another on the same worker, keeping a
/// window in flight: each receive that drains half the window sends the next batch, so the
/// steady state runs entirely from libuv callbacks (no posted jobs, no allocation).
///
/// Confined to the worker's thread; `@unchecked Sendable` only so `run {}` can hand it over.
final class LoopbackPump: @unchecked Sendable {
    enum SendPath: String { case sendmmsg, gso }

    static let batch = 64
    static let window = 2 * batch

    let path: SendPath
    let receiver: UDPSocket
    let sender: UDPSocket
    let watchdog: WorkerTimer
    let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 1200, alignment: 16)
    let datagrams = UnsafeMutableBufferPointer<OutgoingDatagram>.allocate(capacity: batch)
    let segments = UnsafeMutableBufferPointer<UnsafeRawBufferPointer>.allocate(capacity: batch)

    var received = 0
    var sent = 0
    var target = 0
    var lastProgress = 0
    var lost = 0
    var finished: CheckedContinuation<Void, Never>?

    /// Builds both sockets and the watchdog on `worker`'s thread.
    init(worker: MediaWorker, path: SendPath) throws {
        self.path = path
        let loopback = try SocketAddress(ipv4: "127.0.0.1", port: 0)
        receiver = try UDPSocket(worker: worker, bindingTo: loopback)
        sender = try UDPSocket(worker: worker, bindingTo: loopback)
        watchdog = try WorkerTimer(worker: worker)
        try receiver.setReceiveBufferSize(1 << 22)
        payload.initializeMemory(as: UInt8.self, repeating: 0x5A)
        for slot in 0..<Self.batch {
            datagrams[slot] = OutgoingDatagram(
                bytes: UnsafeRawBufferPointer(payload), destination: receiver.localAddress)
            segments[slot] = UnsafeRawBufferPointer(payload)
        }
        try receiver.startReceiving { [unowned self] _, _ in self.didReceive() }
        try watchdog.start(afterMilliseconds: 500, repeatingEvery: 500) { [unowned self] in
            guard self.finished != nil else { return }
            if self.received == self.lastProgress { self.giveUp() }
            self.lastProgress = self.received
        }
    }

    /// Sends `count` datagrams and resumes `done` once all are received (or the flow stalls:
    /// the watchdog then counts what loopback dropped, so a lost datagram cannot hang the run).
    func start(count: Int, done: CheckedContinuation<Void, Never>) {
        target = sent + count
        finished = done
        lastProgress = received
        sendBatch()
        sendBatch()
    }

    private func didReceive() {
        received += 1
        if received >= target {
            complete()
        } else if sent - received <= Self.batch && sent < target {
            sendBatch()
        }
    }

    private func sendBatch() {
        let count = min(Self.batch, target - sent)
        guard count > 0 else { return }
        let taken: Int
        switch path {
        case .sendmmsg:
            taken = (try? sender.sendBatch(UnsafeBufferPointer(rebasing: datagrams[0..<count]))) ?? 0
        case .gso:
            taken =
                (try? sender.sendSegmented(
                    UnsafeBufferPointer(rebasing: segments[0..<count]), to: receiver.localAddress)) ?? 0
        }
        sent += taken
    }

    private func giveUp() {
        lost += sent - received
        received = sent
        if sent < target { sendBatch() } else { complete() }
    }

    private func complete() {
        let done = finished
        finished = nil
        done?.resume()
    }

    /// Closes the sockets and the timer (on the worker's thread).
    func close() {
        receiver.close()
        sender.close()
        watchdog.close()
    }
}
