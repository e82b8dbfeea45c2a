import CLibUV

/// A listening TCP socket on a worker; each accepted connection is a ``TCPConnection`` on the
/// same worker.
///
/// Use it only on its worker's thread (`Sendable` only so it can leave a `run {}` block).
/// It stays open, and alive, until ``close()`` or until the worker stops.
public final class TCPListener: WorkerOwnedHandle, @unchecked Sendable {
    /// The worker that owns the listener.
    public unowned let worker: MediaWorker
    /// The bound address, with the port the kernel picked if 0 was asked.
    public private(set) var localAddress: SocketAddress
    /// Accept failures (the connection is dropped; listening goes on).
    public private(set) var acceptErrors = 0
    private var handle: UnsafeMutablePointer<uv_tcp_t>?
    private var onConnection: ((TCPConnection) -> Void)?

    /// Binds to `address`, listens, and hands each accepted connection to `onConnection`.
    /// Call on the worker's thread.
    public init(
        worker: MediaWorker, bindingTo address: SocketAddress, backlog: Int32 = 128,
        onConnection: @escaping (TCPConnection) -> Void
    ) throws(UVError) {
        self.worker = worker
        let handle = try LoopHandleMemory.initialize(UV_TCP, as: uv_tcp_t.self, "uv_tcp_init") {
            uv_tcp_init(worker.loop, $0)
        }
        var bound = address
        do {
            _ = try address.withSockAddr { pointer, _ throws(UVError) in
                try UVError.check(uv_tcp_bind(handle, pointer, 0), "uv_tcp_bind")
            }
            var length = Int32(MemoryLayout<sockaddr_storage>.size)
            try bound.withMutableSockAddr { pointer throws(UVError) in
                try UVError.check(uv_tcp_getsockname(handle, pointer, &length), "uv_tcp_getsockname")
            }
        } catch {
            LoopHandleMemory.close(handle)
            throw error
        }
        localAddress = bound
        self.handle = handle
        self.onConnection = onConnection
        handle.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let listenStatus = uv_listen(asUVStream(handle), backlog) { server, status in
            guard let server, let data = server.pointee.data else { return }
            Unmanaged<TCPListener>.fromOpaque(data).takeUnretainedValue().accept(from: server, status: status)
        }
        guard listenStatus == 0 else {
            self.handle = nil
            LoopHandleMemory.close(handle)
            throw UVError(code: listenStatus, operation: "uv_listen")
        }
        worker.register(self)
    }

    private func accept(from server: UnsafeMutablePointer<uv_stream_t>, status: Int32) {
        guard status == 0 else {
            acceptErrors &+= 1
            return
        }
        do {
            let connection = try TCPConnection(acceptingFrom: server, worker: worker)
            onConnection?(connection)
        } catch {
            acceptErrors &+= 1
        }
    }

    /// Stops listening and closes the socket. Idempotent; worker thread only. Connections
    /// already accepted stay open.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        handle.pointee.data = nil
        LoopHandleMemory.close(handle)
        onConnection = nil
        worker.unregister(self)
    }
}
