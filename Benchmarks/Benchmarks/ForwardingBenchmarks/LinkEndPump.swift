import Dispatch
import MeshRTC
import MeshRuntime

/// Both ends of one relay link on one media worker, over loopback UDP: the sending end loads
/// each packet from its track's history into the link's ``LinkBatch``, protects it in place
/// (AEAD_AES_128_GCM) and flushes the batch (UDP GSO, or `sendmmsg` when told not to use it);
/// the receiving end reads the datagrams (`recvmmsg`), authenticates and decrypts them with its
/// ``LinkReceiver`` and stores them in its own history. That is the whole per-packet work of a
/// link on both nodes, so packets per second here, on one core, is a floor for either end alone.
///
/// A window of packets is kept in flight as in `LoopbackPump` (RuntimeBenchmarks): each receive
/// that drains half the window sends the next batch, all from libuv callbacks.
/// Confined to the worker's thread; `@unchecked Sendable` only so `run {}` can hand it over.
final class LinkEndPump: @unchecked Sendable {
    static let batch = 64
    static let ssrc: UInt32 = 0x0A0A_0001
    /// 1184 bytes of RTP, 1200 on the wire with the GCM tag.
    static let packetSize = 1184
    static let storedPackets: UInt16 = 1024

    let sender: LinkSender
    let receiver: LinkReceiver
    let upstream = PacketHistory(capacity: Int(storedPackets), slotSize: 1500)
    let downstream = PacketHistory(capacity: 1024, slotSize: 1500)
    let linkBatch = LinkBatch(capacity: batch)
    let sendSocket: UDPSocket
    let receiveSocket: UDPSocket
    let watchdog: WorkerTimer

    var sequence: UInt16 = 0
    var now: UInt64 = 0
    var sent = 0
    var received = 0
    var rejected = 0
    var target = 0
    var lastProgress = 0
    var lost = 0
    var finished: CheckedContinuation<Void, Never>?

    /// Builds both ends, their sockets and the watchdog on `worker`'s thread.
    init(worker: MediaWorker, segmentation: Bool) throws {
        let keys = LinkKeys.generate()
        sender = try LinkSender(keys: keys, linkSSRC: 1)
        sender.subscribe(ssrc: Self.ssrc, history: upstream)
        receiver = try LinkReceiver(keys: keys, linkSSRC: 2, now: 0)
        receiver.addTrack(ssrc: Self.ssrc, codec: .vp8, history: downstream)
        let loopback = try SocketAddress(ipv4: "127.0.0.1", port: 0)
        sendSocket = try UDPSocket(worker: worker, bindingTo: loopback)
        receiveSocket = try UDPSocket(worker: worker, bindingTo: loopback)
        if !segmentation { sendSocket.disableSegmentationOffload() }
        watchdog = try WorkerTimer(worker: worker)
        try receiveSocket.setReceiveBufferSize(1 << 22)
        Self.storePublisherPackets(in: upstream)
        sequence = Self.storedPackets &- 1
        try receiveSocket.startReceiving { [unowned self] bytes, _ in self.didReceive(bytes) }
        try watchdog.start(afterMilliseconds: 500, repeatingEvery: 500) { [unowned self] in
            guard self.finished != nil else { return }
            if self.received == self.lastProgress { self.giveUp() }
            self.lastProgress = self.received
        }
    }

    /// Sends `count` packets and resumes `done` once all are received (or the flow stalls).
    func start(count: Int, done: CheckedContinuation<Void, Never>) {
        target = sent + count
        finished = done
        lastProgress = received
        sendBatch()
        sendBatch()
    }

    private func didReceive(_ bytes: UnsafeRawBufferPointer) {
        let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
        if case .media = receiver.receive(buffer, length: bytes.count, now: now) {} else { rejected += 1 }
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
        now = DispatchTime.now().uptimeNanoseconds
        Self.protect(count, from: upstream, sequence: &sequence, with: sender, into: linkBatch, now: now)
        sent += linkBatch.flush(on: sendSocket, to: receiveSocket.localAddress).sent
    }

    /// The publisher's packets as the origin stored them; each is sent again under a new
    /// sequence number, so the history need not be refilled inside the measurement.
    static func storePublisherPackets(in history: PacketHistory) {
        var packet = [UInt8](repeating: 0x42, count: packetSize)
        packet[0] = 0x80
        packet[1] = 96
        packet.withUnsafeMutableBytes { $0.storeBigEndian(ssrc, at: 8) }
        for stored in 0..<storedPackets {
            packet.withUnsafeMutableBytes { $0.storeBigEndian(stored, at: 2) }
            packet.withUnsafeBytes {
                _ = history.store($0, sequence: stored, arrival: 0, isKeyframeStart: stored == 0)
            }
        }
    }

    /// A sending end's work for `count` packets: each loaded from `history` into `batch` under
    /// the next `sequence`, protected in place.
    static func protect(
        _ count: Int, from history: PacketHistory, sequence: inout UInt16, with sender: LinkSender,
        into batch: LinkBatch, now: UInt64
    ) {
        for _ in 0..<count {
            sequence &+= 1
            let slot = batch.nextBuffer
            guard let stored = history.load(sequence: sequence % storedPackets, into: slot) else { continue }
            slot.storeBigEndian(sequence, at: 2)
            guard let length = sender.protect(inPlace: slot, length: stored.length, now: now) else { continue }
            batch.commit(length: length)
        }
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

    /// The send socket's GSO and sendmmsg counts, read before ``close()``.
    var sendStatistics: UDPSocketStatistics { sendSocket.statistics }

    /// Closes the sockets and the timer (on the worker's thread).
    func close() {
        receiveSocket.close()
        sendSocket.close()
        watchdog.close()
    }
}
