import CLibUV
import CMeshShims
import Glibc

/// Counters kept by a ``UDPSocket``.
public struct UDPSocketStatistics: Sendable, Equatable {
    /// Datagrams handed to the receive handler.
    public var datagramsReceived = 0
    /// Datagrams dropped because they did not fit their receive slot (`UV_UDP_PARTIAL`).
    public var datagramsTruncated = 0
    /// Reads skipped because the receive pool was empty (`UV_ENOBUFS`).
    public var receivesWithoutBuffer = 0
    /// Receive errors other than `UV_ENOBUFS`.
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

/// A UDP socket owned by one worker: batched receive with `recvmmsg` into the worker's
/// receive pool, try-first single sends, `sendmmsg` batches, and UDP GSO.
///
/// Use it only on its worker's thread. It is `Sendable` only so that a socket created inside
/// ``MediaWorker/run(_:)`` can be carried back out and handed to later `run` calls.
/// It stays open, and alive, until ``close()`` or until the worker stops.
public final class UDPSocket: WorkerOwnedHandle, @unchecked Sendable {
    /// Called with each datagram's bytes (valid only during the call) and its sender.
    public typealias ReceiveHandler = (UnsafeRawBufferPointer, SocketAddress) -> Void

    /// Most datagrams one `sendmmsg` call carries; longer batches are split.
    public static let maxBatch = 64

    /// The worker that owns the socket.
    public unowned let worker: MediaWorker
    /// The address the socket is bound to, with the port the kernel picked if 0 was asked.
    public private(set) var localAddress: SocketAddress
    /// Counters; worker thread only.
    public private(set) var statistics = UDPSocketStatistics()
    /// True while the kernel accepts UDP_SEGMENT on this socket; a refused GSO send turns
    /// it off and later segmented sends go through `sendmmsg`.
    public private(set) var segmentationOffloadAvailable: Bool

    private var handle: UnsafeMutablePointer<uv_udp_t>?
    private let descriptor: Int32
    private var onReceive: ReceiveHandler?
    private var onBatchEnded: (() -> Void)?
    /// True once a datagram of the current batch went to the handler, so that empty reads
    /// (libuv ends every readiness event with one) call no `batchEnded`.
    private var batchDelivered = false
    /// The receive-pool buffer libuv is filling now; given back on the callback that ends it,
    /// or by `stopReceiving()` when a handler stops the socket mid-batch.
    private var pendingReceiveBuffer: UnsafeMutableRawPointer?

    // Scratch space for sendmmsg / GSO, preallocated so batched sends never allocate.
    private let messages: UnsafeMutablePointer<CMeshShims_mmsghdr>
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>

    /// Creates a socket on `worker` bound to `address` (port 0: the kernel picks one).
    /// Call on the worker's thread.
    public init(worker: MediaWorker, bindingTo address: SocketAddress, ipv6Only: Bool = false) throws(UVError) {
        self.worker = worker
        let flags = UInt32(address.family) | UInt32(UV_UDP_RECVMMSG.rawValue)
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
    /// once after each `recvmmsg` call that delivered any (after a datagram read without
    /// `recvmmsg`, after that datagram). A handler that stops or closes the socket gets no
    /// `batchEnded` for the batch it was in.
    public func startReceiving(_ handler: @escaping ReceiveHandler, batchEnded: (() -> Void)? = nil) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_udp_recv_start") }
        onReceive = handler
        onBatchEnded = batchEnded
        let status = uv_udp_recv_start(
            handle,
            { handle, _, buffer in
                guard let buffer else { return }
                buffer.pointee = uv_buf_init(nil, 0)
                guard let data = handle?.pointee.data else { return }
                Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue().lendReceiveBuffer(buffer)
            },
            { handle, count, buffer, sender, flags in
                guard let data = handle?.pointee.data else { return }
                Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue()
                    .received(count: count, buffer: buffer, sender: sender, flags: flags)
            })
        try UVError.check(status, "uv_udp_recv_start")
    }

    /// Stops receiving (the handler is kept until ``close()``).
    public func stopReceiving() {
        if let handle { uv_udp_recv_stop(handle) }
        // libuv makes no further callback for a buffer it was filling when reading stops.
        giveBackReceiveBuffer()
        batchDelivered = false
    }

    private func lendReceiveBuffer(_ buffer: UnsafeMutablePointer<uv_buf_t>) {
        guard let slot = worker.receivePool.acquire(), let base = slot.baseAddress else { return }
        pendingReceiveBuffer = base
        buffer.pointee = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(slot.count))
    }

    private func giveBackReceiveBuffer() {
        guard let base = pendingReceiveBuffer else { return }
        pendingReceiveBuffer = nil
        worker.receivePool.release(base)
    }

    /// libuv's receive callback, in recvmmsg mode:
    /// - `UV_UDP_MMSG_CHUNK`: one datagram inside the lent buffer; the buffer stays lent.
    /// - `UV_UDP_MMSG_FREE`: the batch is over; the buffer comes back.
    /// - no flag: an empty read (0, no sender), an error (< 0), or a datagram read with plain
    ///   recvmsg; each of these also ends the buffer's use.
    /// The callback that ends the buffer's use ends the batch: `batchEnded` runs there if the
    /// batch delivered anything.
    private func received(
        count: Int, buffer: UnsafePointer<uv_buf_t>?, sender: UnsafePointer<sockaddr>?, flags: UInt32
    ) {
        let isChunk = flags & UInt32(UV_UDP_MMSG_CHUNK.rawValue) != 0
        let isPartial = flags & UInt32(UV_UDP_PARTIAL.rawValue) != 0
        if count >= 0, let sender, let base = buffer?.pointee.base {
            if isPartial {
                statistics.datagramsTruncated &+= 1
            } else {
                statistics.datagramsReceived &+= 1
                batchDelivered = true
                onReceive?(UnsafeRawBufferPointer(start: base, count: count), SocketAddress(copying: sender))
            }
        } else if count < 0 {
            if count == Int(UV_ENOBUFS.rawValue) {
                statistics.receivesWithoutBuffer &+= 1
            } else {
                statistics.receiveErrors &+= 1
            }
        }
        if !isChunk {
            giveBackReceiveBuffer()
            if batchDelivered {
                batchDelivered = false
                onBatchEnded?()
            }
        }
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
        uv_udp_recv_stop(handle)
        giveBackReceiveBuffer()
        LoopHandleMemory.close(handle)
        onReceive = nil
        onBatchEnded = nil
        worker.unregister(self)
    }
}
