import MeshRuntime
import MeshWire

/// The sending side of one worker: its socket, the batch of outgoing media, the RTCP scratch
/// buffer and the counters. Producers, the router and consumers all send through it; worker
/// thread only.
final class WorkerOutput {
    let index: Int
    /// Set once the worker bound its port.
    var socket: (any DatagramSocket)?
    var counters = WorkerCounters()
    /// Media for viewers (RTP and padding), sent with one `sendmmsg` per burst.
    let egress = DatagramBatch(slotSize: 2048)
    /// Sending link ends whose ``LinkSendingHalf/batch`` holds packets: flushed with the
    /// egress batch, each link's packets as GSO runs (a video frame is one run, one system
    /// call). Capacity is reserved so that listing a link allocates nothing.
    private var pendingLinks: [LinkEnd] = []
    /// Scratch space for RTCP the worker builds (reports, NACKs, PLIs).
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
    var random = SystemRandomNumberGenerator()
    /// Test knobs (``MediaEngineConfiguration``): shares of first transmissions dropped on purpose.
    let viewerDropRate: Double
    let linkDropRate: Double

    init(index: Int, viewerDropRate: Double, linkDropRate: Double) {
        self.index = index
        self.viewerDropRate = viewerDropRate
        self.linkDropRate = linkDropRate
        pendingLinks.reserveCapacity(64)
    }

    deinit { scratch.deallocate() }

    /// Sends a control datagram (STUN, DTLS, RTCP) at once.
    func sendControl(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard let socket else { return }
        if (try? socket.send(bytes, to: destination)) != nil {
            counters.packetsOut &+= 1
            counters.bytesOut &+= bytes.count
        } else {
            counters.drop(.sendFailed)
        }
    }

    /// Marshals one RTCP packet into the scratch buffer, protects and sends it.
    func send(_ packet: some RTCPPacketFormat, session: MediaSession) {
        var writer = ByteWriter(scratch)
        guard (try? packet.marshal(into: &writer)) != nil, let destination = session.transport.remoteAddress,
            let protected = session.transport.protectRTCP(scratch, length: writer.offset)
        else { return }
        sendControl(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]), to: destination)
    }

    /// The buffer the next batched datagram goes into, flushing a full batch first.
    var nextBuffer: UnsafeMutableRawBufferPointer {
        if egress.isFull { flush() }
        return egress.nextSlot
    }

    /// The slot a sending link end's next packet is written into, flushing a full batch first.
    func nextLinkBuffer(_ sending: LinkSendingHalf) -> UnsafeMutableRawBufferPointer {
        if sending.batch.isFull { flush() }
        return sending.batch.nextBuffer
    }

    /// Adds the first `length` bytes of the link's next slot to its batch.
    func commitLink(length: Int, _ end: LinkEnd, _ sending: LinkSendingHalf) {
        if sending.batch.count == 0 { pendingLinks.append(end) }
        sending.batch.commit(length: length)
    }

    /// The longest a packet may wait in the batch while a long receive batch or inbox drain is
    /// worked through. The viewer's abs-send-time was stamped when the packet was rewritten, so
    /// a packet held longer would reach the viewer later than its stamp says; browsers read that
    /// delay growth as congestion and hold their REMB down (seen with Chromium on a debug build,
    /// where a drain of a few hundred notices takes milliseconds). In a release build a drain
    /// rarely lasts this long, so batches still go out whole.
    static let maximumWait: UInt64 = 200_000

    /// When the oldest packet in the batch was written (as read by the router before it).
    private var batchOpenedAt: UInt64 = 0

    /// Sends the batch now if its oldest packet has waited ``maximumWait``; notes when a new
    /// batch opens. The router calls it before each delivery with that delivery's `now`.
    func flushIfWaiting(now: UInt64) {
        if hasPending, now &- batchOpenedAt >= Self.maximumWait { flush() }
        if !hasPending { batchOpenedAt = now }
    }

    /// Sends everything batched. Called once per receive batch and per inbox drain, when the
    /// batch fills, and when it has waited ``maximumWait``.
    func flush() {
        guard let socket else { return }
        let result = egress.flush(on: socket)
        counters.packetsOut &+= result.sent
        counters.bytesOut &+= result.bytes
        if result.dropped > 0 { counters.drop(.socketFull, count: result.dropped) }
        for end in pendingLinks {
            guard case .sending(let sending) = end.half else { continue }
            let linkResult = sending.batch.flush(on: socket, to: end.peer)
            counters.packetsOut &+= linkResult.sent
            counters.bytesOut &+= linkResult.bytes
            counters.linkDatagramsSegmented &+= linkResult.segmented
            if linkResult.dropped > 0 { counters.drop(.socketFull, count: linkResult.dropped) }
        }
        pendingLinks.removeAll(keepingCapacity: true)
    }

    /// True while a batch holds packets not yet sent.
    private var hasPending: Bool { egress.count > 0 || !pendingLinks.isEmpty }
}
