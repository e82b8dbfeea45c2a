import Glibc
import MeshRTC
import MeshRuntime
import Synchronization

/// One relay link with its ends on two media workers (two threads, CPUs 0 and 1), as on two
/// nodes: the sending end loads each packet from its track's history into the link's
/// ``LinkBatch``, protects it in place (AEAD_AES_128_GCM) and flushes the batch as UDP GSO runs;
/// the receiving end reads the datagrams (`recvmmsg`; UDP GRO hands a GSO run over whole),
/// authenticates, decrypts and stores them.
/// Each end's thread CPU time (`CLOCK_THREAD_CPUTIME_ID`) over the run gives its packets per
/// second per core, the figure DESIGN.md sets at 1M for a link end; the kernel's loopback
/// delivery runs in the sender's `sendmsg`, so it counts against the sending end.
///
/// The receiver keeps two batches in flight: after each batch it receives it posts the next
/// send to the sender's worker (one cross-thread wake-up per 64 packets).
final class SplitLinkEnds: @unchecked Sendable {
    static let batch = 64

    /// The sending end; its worker's thread only.
    final class SendingEnd: @unchecked Sendable {
        let sender: LinkSender
        let upstream = PacketHistory(capacity: Int(LinkEndPump.storedPackets), slotSize: 1500)
        let linkBatch = LinkBatch(capacity: SplitLinkEnds.batch)
        let socket: UDPSocket
        var sequence = LinkEndPump.storedPackets &- 1
        /// Packets sent; written here, read by the receiving end's watchdog.
        let sent = Atomic<Int>(0)

        init(worker: MediaWorker, keys: LinkKeys) throws {
            sender = try LinkSender(keys: keys, linkSSRC: 1)
            sender.subscribe(ssrc: LinkEndPump.ssrc, history: upstream)
            socket = try UDPSocket(worker: worker, bindingTo: try SocketAddress(ipv4: "127.0.0.1", port: 0))
            LinkEndPump.storePublisherPackets(in: upstream)
        }

        /// Protects and sends `count` packets to `destination`.
        func send(_ count: Int, to destination: SocketAddress, now: UInt64) {
            LinkEndPump.protect(count, from: upstream, sequence: &sequence, with: sender, into: linkBatch, now: now)
            sent.add(linkBatch.flush(on: socket, to: destination).sent, ordering: .relaxed)
        }
    }

    /// The receiving end, and the flow control that asks the sending end for more; its
    /// worker's thread only.
    final class ReceivingEnd: @unchecked Sendable {
        let receiver: LinkReceiver
        let downstream = PacketHistory(capacity: 1024, slotSize: 1500)
        let socket: UDPSocket
        let watchdog: WorkerTimer
        let sending: SendingEnd
        let sendingWorker: MediaWorker
        var received = 0
        var requested = 0
        var target = 0
        var lastProgress = 0
        var finished: CheckedContinuation<Void, Never>?
        /// Packets the watchdog gave up waiting for (lost in the kernel's buffers).
        var lost = 0
        var rejected = 0

        init(worker: MediaWorker, keys: LinkKeys, sending: SendingEnd, sendingWorker: MediaWorker) throws {
            self.sending = sending
            self.sendingWorker = sendingWorker
            receiver = try LinkReceiver(keys: keys, linkSSRC: 2, now: 0)
            receiver.addTrack(ssrc: LinkEndPump.ssrc, codec: .vp8, history: downstream)
            socket = try UDPSocket(worker: worker, bindingTo: try SocketAddress(ipv4: "127.0.0.1", port: 0))
            try socket.setReceiveBufferSize(1 << 22)
            watchdog = try WorkerTimer(worker: worker)
            try socket.startReceiving { [unowned self] bytes, _ in didReceive(bytes) }
            try watchdog.start(afterMilliseconds: 500, repeatingEvery: 500) { [unowned self] in
                guard finished != nil else { return }
                if received == lastProgress { giveUp() }
                lastProgress = received
            }
        }

        /// Has `count` packets sent through the link and resumes `done` once all arrived (or
        /// the flow stalled and the rest counted lost).
        func start(count: Int, done: CheckedContinuation<Void, Never>) {
            target = received + count
            finished = done
            lastProgress = received
            requestBatch()
            requestBatch()
        }

        private func didReceive(_ bytes: UnsafeRawBufferPointer) {
            let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
            if case .media = receiver.receive(buffer, length: bytes.count, now: 0) {} else { rejected += 1 }
            received += 1
            if received >= target {
                complete()
            } else if requested - received <= SplitLinkEnds.batch {
                requestBatch()
            }
        }

        /// Asks the sending end for the next batch, if the run wants more.
        private func requestBatch() {
            let count = min(SplitLinkEnds.batch, target - requested)
            guard count > 0 else { return }
            requested += count
            let (sending, destination) = (self.sending, socket.localAddress)
            _ = sendingWorker.post { sending.send(count, to: destination, now: 0) }
        }

        private func giveUp() {
            let sent = sending.sent.load(ordering: .relaxed)
            lost += max(sent - received, 0)
            received = max(received, sent)
            if received >= target { complete() } else { requestBatch() }
        }

        private func complete() {
            let done = finished
            finished = nil
            done?.resume()
        }
    }

    let sendingWorker: MediaWorker
    let receivingWorker: MediaWorker
    let sending: SendingEnd
    let receiving: ReceivingEnd

    private init(
        sendingWorker: MediaWorker, receivingWorker: MediaWorker, sending: SendingEnd, receiving: ReceivingEnd
    ) {
        self.sendingWorker = sendingWorker
        self.receivingWorker = receivingWorker
        self.sending = sending
        self.receiving = receiving
    }

    /// Both ends on their own workers (CPUs 0 and 1).
    static func open() async throws -> SplitLinkEnds {
        let sendingWorker = try MediaWorker(index: 0, cpu: 0)
        let receivingWorker = try MediaWorker(index: 1, cpu: 1)
        let keys = LinkKeys.generate()
        let sending = try await sendingWorker.run { try SendingEnd(worker: sendingWorker, keys: keys) }
        let receiving = try await receivingWorker.run {
            try ReceivingEnd(worker: receivingWorker, keys: keys, sending: sending, sendingWorker: sendingWorker)
        }
        return SplitLinkEnds(
            sendingWorker: sendingWorker, receivingWorker: receivingWorker, sending: sending, receiving: receiving)
    }

    /// The CPU time each end's thread has used so far, in nanoseconds: (sending, receiving).
    func threadCPUTimes() async throws -> (sending: UInt64, receiving: UInt64) {
        (try await sendingWorker.run { Self.threadCPUTime() }, try await receivingWorker.run { Self.threadCPUTime() })
    }

    /// Closes both ends and stops the workers.
    func close() async throws {
        let (sending, receiving) = (self.sending, self.receiving)
        try await sendingWorker.run { sending.socket.close() }
        try await receivingWorker.run {
            receiving.socket.close()
            receiving.watchdog.close()
        }
        sendingWorker.stop()
        receivingWorker.stop()
    }

    private static func threadCPUTime() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
