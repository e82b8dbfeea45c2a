import CLibUV

/// One TCP connection on a worker: reads into packet-pool buffers, writes try-first.
///
/// Use it only on its worker's thread (`Sendable` only so it can leave a `run {}` block).
/// It stays open, and alive, until ``close()`` or until the worker stops.
public final class TCPConnection: WorkerOwnedHandle, @unchecked Sendable {
    /// Called with bytes read (valid only during the call).
    public typealias ReadHandler = (UnsafeRawBufferPointer) -> Void
    /// Called once when the peer closed (nil) or reading failed; the connection stays open
    /// until ``close()``.
    public typealias EndHandler = (UVError?) -> Void

    /// The worker that owns the connection.
    public unowned let worker: MediaWorker
    var handle: UnsafeMutablePointer<uv_tcp_t>?
    private var onRead: ReadHandler?
    private var onEnd: EndHandler?
    private var onConnect: ((UVError?) -> Void)?
    /// Called once the write queue is empty (``detach(_:)`` waits for it).
    var onWritesDrained: (() -> Void)?

    init(worker: MediaWorker) throws(UVError) {
        self.worker = worker
        let handle = try LoopHandleMemory.initialize(UV_TCP, as: uv_tcp_t.self, "uv_tcp_init") {
            uv_tcp_init(worker.loop, $0)
        }
        self.handle = handle
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        worker.register(self)
    }

    /// Accepts the pending connection of `server` (called by ``TCPListener``).
    convenience init(acceptingFrom server: UnsafeMutablePointer<uv_stream_t>, worker: MediaWorker) throws(UVError) {
        try self.init(worker: worker)
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_accept") }
        let status = uv_accept(server, asUVStream(handle))
        guard status == 0 else {
            close()
            throw UVError(code: status, operation: "uv_accept")
        }
    }

    /// Connects to `address` from `worker` (call on its thread); `completion` gets nil once
    /// connected, or the error (the connection is then closed).
    public static func connect(
        on worker: MediaWorker, to address: SocketAddress,
        completion: @escaping (UVError?) -> Void
    ) throws(UVError) -> TCPConnection {
        let connection = try TCPConnection(worker: worker)
        guard let handle = connection.handle else {
            throw UVError(code: UV_EBADF.rawValue, operation: "uv_tcp_connect")
        }
        connection.onConnect = completion
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        request.initialize(to: uv_connect_t())
        let status = address.withSockAddr { pointer, _ in
            uv_tcp_connect(request, handle, pointer) { request, status in
                guard let request else { return }
                // The request's handle is the connection's (still alive: libuv cancels with
                // UV_ECANCELED before the close callback frees it).
                if let data = request.pointee.handle?.pointee.data {
                    Unmanaged<TCPConnection>.fromOpaque(data).takeUnretainedValue().connected(status: status)
                }
                request.deallocate()
            }
        }
        guard status == 0 else {
            request.deallocate()
            connection.close()
            throw UVError(code: status, operation: "uv_tcp_connect")
        }
        return connection
    }

    private func connected(status: Int32) {
        let completion = onConnect
        onConnect = nil
        if status == 0 {
            completion?(nil)
        } else {
            close()
            completion?(UVError(code: status, operation: "uv_tcp_connect"))
        }
    }

    /// The address of the other end; `nil` once closed or before a connect completes.
    public var peerAddress: SocketAddress? {
        guard let handle else { return nil }
        var address = SocketAddress(ipv4: 0, port: 0)
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let status = address.withMutableSockAddr { pointer in uv_tcp_getpeername(handle, pointer, &length) }
        return status == 0 ? address : nil
    }

    /// Bytes queued with `uv_write` that the kernel has not taken yet: how far behind the
    /// other end is reading.
    public var queuedWriteBytes: Int {
        guard let handle else { return 0 }
        return uv_stream_get_write_queue_size(asUVStream(handle))
    }

    /// Turns Nagle's algorithm off (`true`) so small writes leave at once. Best effort: a
    /// closed connection ignores it.
    public func setNoDelay(_ enabled: Bool) {
        guard let handle else { return }
        _ = uv_tcp_nodelay(handle, enabled ? 1 : 0)
    }

    /// Starts reading; each read lands in a packet-pool buffer that returns to the pool as
    /// soon as `onRead` returns.
    public func startReading(onRead: @escaping ReadHandler, onEnd: @escaping EndHandler) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_read_start") }
        self.onRead = onRead
        self.onEnd = onEnd
        let status = uv_read_start(
            asUVStream(handle),
            { handle, _, buffer in
                guard let buffer else { return }
                buffer.pointee = uv_buf_init(nil, 0)
                guard let data = handle?.pointee.data else { return }
                let connection = Unmanaged<TCPConnection>.fromOpaque(data).takeUnretainedValue()
                guard let slot = connection.worker.packetPool.acquire(), let base = slot.baseAddress else { return }
                buffer.pointee = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(slot.count))
            },
            { stream, count, buffer in
                let base = buffer?.pointee.base
                guard let data = stream?.pointee.data else { return }
                let connection = Unmanaged<TCPConnection>.fromOpaque(data).takeUnretainedValue()
                connection.read(count: count, base: base.map(UnsafeMutableRawPointer.init))
            })
        try UVError.check(status, "uv_read_start")
    }

    private func read(count: Int, base: UnsafeMutableRawPointer?) {
        defer { if let base { worker.packetPool.release(base) } }
        if count > 0, let base {
            onRead?(UnsafeRawBufferPointer(start: base, count: count))
        } else if count < 0 {
            if let handle { uv_read_stop(asUVStream(handle)) }
            let end = onEnd
            onEnd = nil
            end?(count == Int(UV_EOF.rawValue) ? nil : UVError(code: Int32(count), operation: "uv_read"))
        }
    }

    /// Writes `bytes`: `uv_try_write` first; whatever the kernel did not take is copied and
    /// queued with `uv_write` (the copy is freed when the write completes or is cancelled).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(UVError) {
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_try_write") }
        guard let start = bytes.baseAddress, bytes.count > 0 else { return }
        var direct = uv_buf_init(
            UnsafeMutablePointer(mutating: start.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
        let written = uv_try_write(asUVStream(handle), &direct, 1)
        if written < 0 && written != UV_EAGAIN.rawValue {
            throw UVError(code: written, operation: "uv_try_write")
        }
        let taken = max(0, Int(written))
        guard taken < bytes.count else { return }
        let remaining = bytes.count - taken
        let copy = UnsafeMutableRawPointer.allocate(byteCount: remaining, alignment: 16)
        copy.copyMemory(from: start + taken, byteCount: remaining)
        let request = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)
        request.initialize(to: uv_write_t())
        request.pointee.data = copy
        var queued = uv_buf_init(copy.assumingMemoryBound(to: CChar.self), UInt32(remaining))
        let status = uv_write(request, asUVStream(handle), &queued, 1) { request, _ in
            request?.pointee.data?.deallocate()
            // A closed connection cleared its handle's data: nothing waits for the queue then.
            let data = request?.pointee.handle?.pointee.data
            request?.deallocate()
            if let data { Unmanaged<TCPConnection>.fromOpaque(data).takeUnretainedValue().writeCompleted() }
        }
        guard status == 0 else {
            copy.deallocate()
            request.deallocate()
            throw UVError(code: status, operation: "uv_write")
        }
    }

    /// Stops reading and closes the connection; queued writes are cancelled and freed.
    /// Idempotent; worker thread only.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        handle.pointee.data = nil
        uv_read_stop(asUVStream(handle))
        LoopHandleMemory.close(handle)
        onRead = nil
        onEnd = nil
        onConnect = nil
        onWritesDrained = nil
        worker.unregister(self)
    }
}
