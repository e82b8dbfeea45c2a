import CLibUV
import CMeshShims
import Glibc

/// Counters kept by a ``UDPSocket``.
public struct UDPSocketStatistics: Sendable, Equatable {
    /// Datagrams handed to the receive handler.
    public var datagramsReceived = 0
    /// Datagrams dropped because they did not fit their receive slot (`MSG_TRUNC`).
    public var datagramsTruncated = 0
    /// Datagrams of ``datagramsReceived`` that the kernel handed over coalesced (UDP GRO).
    public var datagramsReceivedCoalesced = 0
    /// Reads skipped because the receive pool was empty.
    public var receivesWithoutBuffer = 0
    /// Receive errors (a failed `recvmmsg` other than `EAGAIN`, or a poll error).
    public var receiveErrors = 0
    /// Datagrams sent at once by `uv_udp_try_send`.
    public var datagramsSentDirectly = 0
    /// Datagrams copied into a pool buffer and queued with `uv_udp_send` after `EAGAIN`.
    public var datagramsQueued = 0
    /// Datagrams sent by `sendmmsg`.
    public var datagramsSentBatched = 0
    /// Datagrams sent as UDP GSO segments.
    public var datagramsSentSegmented = 0
    /// Times a GSO send was refused by the kernel and the socket fell back to `sendmmsg`.
    public var segmentationFallbacks = 0
}

/// How ``UDPSocket/send(_:to:)`` got a datagram out.
public enum UDPSendOutcome: Sendable, Equatable {
    /// The kernel took it immediately (`uv_udp_try_send`).
    case sent
    /// The socket was busy; a copy was queued with `uv_udp_send`.
    case queued
}

/// One datagram of a batch: its bytes and where it goes.
public struct OutgoingDatagram: @unchecked Sendable {
    /// The payload; must stay valid until the send call returns.
    public var bytes: UnsafeRawBufferPointer
    /// The destination.
    public var destination: SocketAddress

    /// Pairs bytes with a destination.
    public init(bytes: UnsafeRawBufferPointer, destination: SocketAddress) {
        self.bytes = bytes
        self.destination = destination
    }
}

/// A UDP socket owned by one worker: batched receive with `recvmmsg` and UDP GRO into the
/// worker's receive pool, try-first single sends, `sendmmsg` batches, and UDP GSO.
///
/// Use it only on its worker's thread. It is `Sendable` only so that a socket created inside
/// ``MediaWorker/run(_:)`` can be carried back out and handed to later `run` calls.
/// It stays open, and alive, until ``close()`` or until the worker stops.
public final class UDPSocket: WorkerOwnedHandle, @unchecked Sendable {
    /// Called with each datagram's bytes (valid only during the call) and its sender.
    public typealias ReceiveHandler = (UnsafeRawBufferPointer, SocketAddress) -> Void

    /// Most datagrams one `sendmmsg` call carries; longer batches are split.
    public static let maxBatch = 64
    /// Most `recvmmsg` calls one readiness wake-up makes before the loop turns again (libuv
    /// makes 32 reads of a batch each; fewer keep one busy socket from starving the others).
    static let readsPerWakeUp = 16

    /// The worker that owns the socket.
    public unowned let worker: MediaWorker
    /// The address the socket is bound to, with the port the kernel picked if 0 was asked.
    public private(set) var localAddress: SocketAddress
    /// Counters; worker thread only.
    public private(set) var statistics = UDPSocketStatistics()
    /// True while the kernel accepts UDP_SEGMENT on this socket; a refused GSO send turns
    /// it off and later segmented sends go through `sendmmsg`.
    public private(set) var segmentationOffloadAvailable: Bool
    /// True when the kernel coalesces runs of equal-size datagrams from one sender for this
    /// socket (UDP_GRO): a GSO run over loopback then arrives whole, without being cut into
    /// datagrams in the sender's system call, and one `recvmmsg` slot holds up to 64 of them.
    public let receiveOffloadEnabled: Bool

    private var handle: UnsafeMutablePointer<uv_udp_t>?
    private let descriptor: Int32
    private var onReceive: ReceiveHandler?
    private var onBatchEnded: (() -> Void)?
    /// Watches `pollDescriptor` for readability while receiving; nil until the first start.
    private var poll: UnsafeMutablePointer<uv_poll_t>?
    /// A duplicate of `descriptor` for `poll` (see ``readinessPoll()``); -1 until then.
    private var pollDescriptor: Int32 = -1
    /// True between ``startReceiving(_:batchEnded:)`` and ``stopReceiving()`` or ``close()``.
    private var receiving = false
    /// What each datagram of the last `recvmmsg` call was: length, GRO segment size, sender.
    private let received: UnsafeMutablePointer<CMeshShims_receivedDatagram>

    // Scratch space for sendmmsg / GSO, preallocated so batched sends never allocate.
    private let messages: UnsafeMutablePointer<CMeshShims_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>

    /// Creates a socket on `worker` bound to `address` (port 0: the kernel picks one).
    /// Call on the worker's thread.
    public init(worker: MediaWorker, bindingTo address: SocketAddress, ipv6Only: Bool = false) throws(UVError) {
        self.worker = worker
        let flags = UInt32(address.family)
        let handle = try LoopHandleMemory.initialize(UV_UDP, as: uv_udp_t.self, "uv_udp_init_ex") {
            uv_udp_init_ex(worker.loop, $0, flags)
        }
        var descriptor: uv_os_fd_t = -1
        var bound = address
        do {
            let bindFlags = ipv6Only ? UInt32(UV_UDP_IPV6ONLY.rawValue) : 0
            _ = try address.withSockAddr { pointer, _ throws(UVError) in
                try UVError.check(uv_udp_bind(handle, pointer, bindFlags), "uv_udp_bind")
            }
            try UVError.check(uv_fileno(asUVHandle(handle), &descriptor), "uv_fileno")
            var length = Int32(MemoryLayout<sockaddr_storage>.size)
            try bound.withMutableSockAddr { pointer throws(UVError) in
                try UVError.check(uv_udp_getsockname(handle, pointer, &length), "uv_udp_getsockname")
            }
        } catch {
            LoopHandleMemory.close(handle)
            throw error
        }
        self.handle = handle
        self.descriptor = descriptor
        localAddress = bound
        segmentationOffloadAvailable = CMeshShims_udpSegmentationSupported(descriptor) == 1
        receiveOffloadEnabled = CMeshShims_enableReceiveOffload(descriptor) == 1
        received = .allocate(capacity: Int(CMeshShims_maxReceiveBatch))
        messages = .allocate(capacity: Self.maxBatch)
        vectors = .allocate(capacity: Self.maxBatch)
        addresses = .allocate(capacity: Self.maxBatch)
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        worker.register(self)
    }

    deinit {
        messages.deallocate()
        vectors.deallocate()
        addresses.deallocate()
        received.deallocate()
    }

    // MARK: Options

    /// Sets SO_RCVBUF (the kernel doubles it and caps it at net.core.rmem_max).
    public func setReceiveBufferSize(_ bytes: Int32) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_recv_buffer_size") }
        var value = bytes
        try UVError.check(uv_recv_buffer_size(asUVHandle(handle), &value), "uv_recv_buffer_size")
    }

    /// Sets SO_SNDBUF (the kernel doubles it and caps it at net.core.wmem_max).
    public func setSendBufferSize(_ bytes: Int32) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_send_buffer_size") }
        var value = bytes
        try UVError.check(uv_send_buffer_size(asUVHandle(handle), &value), "uv_send_buffer_size")
    }

    /// Sends later ``sendSegmented(_:to:)`` calls through `sendmmsg` even where the kernel
    /// offers GSO (to compare the two, or to work around a path that mangles GSO traffic).
    public func disableSegmentationOffload() {
        segmentationOffloadAvailable = false
    }

    // MARK: Receive

    /// Starts delivering datagrams to `handler`, reading up to
    /// ``WorkerSettings/receiveBatchSize`` of them per `recvmmsg` call, and calls `batchEnded`
    /// once after each `recvmmsg` call that delivered any. A datagram the kernel coalesced
    /// (UDP GRO) reaches the handler as the datagrams it was made of. A handler that stops or
    /// closes the socket gets no `batchEnded` for the batch it was in.
    public func startReceiving(_ handler: @escaping ReceiveHandler, batchEnded: (() -> Void)? = nil) throws(UVError) {
        guard handle != nil else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_poll_start") }
        onReceive = handler
        onBatchEnded = batchEnded
        let poll = try readinessPoll()
        try UVError.check(uv_poll_start(poll, Int32(UV_READABLE.rawValue), Self.onReadable), "uv_poll_start")
        receiving = true
    }

    /// The poll's callback: reads on the socket's behalf.
    private static let onReadable: uv_poll_cb = { poll, status, _ in
        guard let data = poll?.pointee.data else { return }
        // A local strong reference: a handler may close the socket and drop the last other one.
        let socket = Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue()
        socket.readable(status: status)
    }

    /// Stops receiving (the handler is kept until ``close()``).
    public func stopReceiving() {
        if let poll { uv_poll_stop(poll) }
        receiving = false
    }

    /// The poll handle that says when the socket is readable, made on first use. It watches a
    /// duplicate of the descriptor: libuv keeps one watcher per descriptor number, and the udp
    /// handle's own watches the original for its queued sends. The reads are this socket's
    /// own `recvmmsg` (libuv 1.44's asks for no control messages, so it cannot see UDP GRO).
    private func readinessPoll() throws(UVError) -> UnsafeMutablePointer<uv_poll_t> {
        if let poll { return poll }
        let duplicate = dup(descriptor)
        guard duplicate >= 0 else { throw UVError(code: -errno, operation: "dup") }
        let poll: UnsafeMutablePointer<uv_poll_t>
        do {
            poll = try LoopHandleMemory.initialize(UV_POLL, as: uv_poll_t.self, "uv_poll_init_socket") {
                uv_poll_init_socket(worker.loop, $0, duplicate)
            }
        } catch {
            Glibc.close(duplicate)
            throw error
        }
        poll.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        self.poll = poll
        pollDescriptor = duplicate
        return poll
    }

    /// Reads what is waiting: up to ``readsPerWakeUp`` `recvmmsg` calls into one receive-pool
    /// buffer (64 KiB per datagram, what a coalesced one may need). The poll is level-triggered,
    /// so whatever is left wakes it again on the loop's next turn.
    private func readable(status: Int32) {
        if status < 0 {
            statistics.receiveErrors &+= 1
            // libuv stops a poll that saw POLLERR; the read below takes the socket's pending
            // error (which clears it), so watching again keeps the socket from going deaf.
            if receiving, let poll { _ = uv_poll_start(poll, Int32(UV_READABLE.rawValue), Self.onReadable) }
        }
        guard let slot = worker.receivePool.acquire(), let base = slot.baseAddress else {
            statistics.receivesWithoutBuffer &+= 1
            return
        }
        defer { worker.receivePool.release(base) }
        let perDatagram = 65_536
        let batch = min(slot.count / perDatagram, Int(CMeshShims_maxReceiveBatch))
        for _ in 0..<Self.readsPerWakeUp {
            let count = Int(
                CMeshShims_receiveBatch(
                    pollDescriptor, base.assumingMemoryBound(to: UInt8.self), perDatagram, UInt32(batch), received))
            guard count > 0 else {
                if count < 0, count != -Int(EAGAIN) { statistics.receiveErrors &+= 1 }
                return
            }
            for index in 0..<count {
                guard deliver(received + index, bytes: base + index * perDatagram) else { return }
            }
            onBatchEnded?()
            guard receiving, count == batch else { return }
        }
    }

    /// Hands one datagram, or each datagram of a coalesced one, to the handler. False when
    /// the handler stopped receiving (or closed the socket).
    private func deliver(_ datagram: UnsafeMutablePointer<CMeshShims_receivedDatagram>, bytes: UnsafeMutableRawPointer)
        -> Bool
    {
        let length = Int(datagram.pointee.length)
        guard datagram.pointee.truncated == 0 else {
            statistics.datagramsTruncated &+= 1
            return true
        }
        let sender = withUnsafePointer(to: &datagram.pointee.sender) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(copying: $0) }
        }
        let segmentSize = Int(datagram.pointee.segmentSize)
        let step = segmentSize > 0 ? segmentSize : max(length, 1)
        var offset = 0
        repeat {
            let count = min(step, length - offset)
            statistics.datagramsReceived &+= 1
            if segmentSize > 0 { statistics.datagramsReceivedCoalesced &+= 1 }
            onReceive?(UnsafeRawBufferPointer(start: bytes + offset, count: count), sender)
            guard receiving else { return false }
            offset += step
        } while offset < length
        return true
    }

    // MARK: Send

    /// Sends one datagram: `uv_udp_try_send` first; only when the kernel says `EAGAIN` is a
    /// copy taken (into a packet-pool buffer) and queued with `uv_udp_send`.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(UVError) -> UDPSendOutcome {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_udp_try_send") }
        var buffer = uv_buf_init(
            UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: CChar.self)),
            UInt32(bytes.count))
        let status = destination.withSockAddr { address, _ in uv_udp_try_send(handle, &buffer, 1, address) }
        if status >= 0 {
            statistics.datagramsSentDirectly &+= 1
            return .sent
        }
        guard status == UV_EAGAIN.rawValue else { throw UVError(code: status, operation: "uv_udp_try_send") }
        try QueuedUDPSend.send(copyOf: bytes, on: handle, to: destination, pool: worker.packetPool)
        statistics.datagramsQueued &+= 1
        return .queued
    }

    /// Sends a batch with `sendmmsg` (up to ``maxBatch`` per system call). Returns how many
    /// datagrams the kernel took; fewer than asked means it said `EAGAIN` (nothing is queued).
    @discardableResult
    public func sendBatch(_ datagrams: UnsafeBufferPointer<OutgoingDatagram>) throws(UVError) -> Int {
        guard handle != nil else { throw UVError(code: UV_EBADF.rawValue, operation: "sendmmsg") }
        var sent = 0
        while sent < datagrams.count {
            let count = min(Self.maxBatch, datagrams.count - sent)
            for slot in 0..<count {
                let datagram = datagrams[sent + slot]
                prepareMessage(slot, bytes: datagram.bytes, destination: datagram.destination)
            }
            let taken = try flushMessages(count)
            sent += taken
            if taken < count { break }
        }
        statistics.datagramsSentBatched &+= sent
        return sent
    }

    /// Sends equal-size datagrams to one destination with UDP GSO: every segment but the last
    /// must have the size of the first, and the last may be shorter. Up to 64 segments (and
    /// 65507 bytes) go per system call. When the kernel refuses segmentation the socket falls
    /// back to `sendmmsg` for this call and later ones. Returns how many datagrams were sent.
    @discardableResult
    public func sendSegmented(
        _ segments: UnsafeBufferPointer<UnsafeRawBufferPointer>, to destination: SocketAddress
    ) throws(UVError) -> Int {
        guard handle != nil else { throw UVError(code: UV_EBADF.rawValue, operation: "sendSegmented") }
        guard let first = segments.first else { return 0 }
        let segmentSize = first.count
        for (position, segment) in segments.enumerated()
        where segment.count > segmentSize || (segment.count < segmentSize && position != segments.count - 1) {
            throw UVError(code: UV_EINVAL.rawValue, operation: "sendSegmented: segment \(position) differs in size")
        }
        guard segmentSize > 0, segmentSize <= 65_507 else {
            throw UVError(code: UV_EINVAL.rawValue, operation: "sendSegmented: segment size \(segmentSize)")
        }
        let perCall = min(Int(CMeshShims_maxSegmentsPerSend), 65_507 / segmentSize)
        var sent = 0
        while sent < segments.count, segmentationOffloadAvailable {
            let count = min(perCall, segments.count - sent)
            for slot in 0..<count {
                let segment = segments[sent + slot]
                vectors[slot] = iovec(
                    iov_base: UnsafeMutableRawPointer(mutating: segment.baseAddress), iov_len: segment.count)
            }
            let result = destination.withSockAddr { address, length in
                CMeshShims_sendSegmented(descriptor, vectors, count, UInt16(segmentSize), address, length)
            }
            if result >= 0 {
                sent += count
                statistics.datagramsSentSegmented &+= count
                continue
            }
            switch Int32(-result) {
            case EAGAIN:
                return sent
            case EIO, EINVAL, ENOPROTOOPT, EOPNOTSUPP:
                // The kernel, the device or the route cannot segment: sendmmsg from here on.
                segmentationOffloadAvailable = false
                statistics.segmentationFallbacks &+= 1
            default:
                throw UVError(code: Int32(result), operation: "sendmsg(UDP_SEGMENT)")
            }
        }
        while sent < segments.count {
            let count = min(Self.maxBatch, segments.count - sent)
            for slot in 0..<count {
                prepareMessage(slot, bytes: segments[sent + slot], destination: destination)
            }
            let taken = try flushMessages(count)
            sent += taken
            statistics.datagramsSentBatched &+= taken
            if taken < count { break }
        }
        return sent
    }

    private func prepareMessage(_ slot: Int, bytes: UnsafeRawBufferPointer, destination: SocketAddress) {
        addresses[slot] = destination.storage
        vectors[slot] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        messages[slot] = CMeshShims_mmsghdr(
            msg_hdr: msghdr(
                msg_name: UnsafeMutableRawPointer(addresses + slot), msg_namelen: destination.length,
                msg_iov: vectors + slot, msg_iovlen: 1,
                msg_control: nil, msg_controllen: 0, msg_flags: 0),
            msg_len: 0)
    }

    /// Sends the first `count` prepared messages; returns how many the kernel took (0 on EAGAIN).
    private func flushMessages(_ count: Int) throws(UVError) -> Int {
        let result = CMeshShims_sendmmsg(descriptor, messages, UInt32(count), 0)
        if result >= 0 { return Int(result) }
        if result == -EAGAIN { return 0 }
        throw UVError(code: result, operation: "sendmmsg")
    }

    // MARK: Close

    /// Stops receiving and closes the socket (mediasoup order: clear data, stop, uv_close,
    /// free in the close callback). Queued sends complete with `UV_ECANCELED` and return their
    /// buffers. Idempotent; worker thread only.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        handle.pointee.data = nil
        receiving = false
        if let poll {
            self.poll = nil
            // uv_close stops the poll, which must happen before its descriptor closes.
            LoopHandleMemory.close(poll)
            Glibc.close(pollDescriptor)
            pollDescriptor = -1
        }
        LoopHandleMemory.close(handle)
        onReceive = nil
        onBatchEnded = nil
        worker.unregister(self)
    }
}
