import CLibUV
import Glibc

// Moving a TCP connection to another worker (issue 13, item 6: a TURN client over TCP or TLS
// moves to the worker that owns its session once it authenticates). libuv handles belong to one
// loop, so the socket leaves as a descriptor: a `dup` of the handle's, taken once nothing is
// queued for writing, after which the handle is closed (libuv closes only its own descriptor,
// so the socket and the bytes the kernel holds for it, both ways, stay); the other worker
// opens a handle on the duplicate. Nothing is lost in between: unread bytes wait in the
// kernel, and written ones have left the process before the handle closes.

/// A connected TCP socket's descriptor between two workers: what ``TCPConnection/detach(_:)``
/// gives and ``TCPConnection/init(adopting:worker:)`` takes. Whoever holds one owns the
/// socket: adopt it or ``close()`` it.
public struct TCPSocketDescriptor: Sendable {
    /// The file descriptor.
    public let rawValue: Int32

    /// Closes the socket (when no worker could adopt it).
    public func close() { _ = Glibc.close(rawValue) }
}

extension TCPConnection {
    /// Stops reading and, once every queued write has left (at once when none is queued), hands
    /// `completion` a duplicate of the socket's descriptor and closes this handle; on failure
    /// the connection stays open, not reading, and `completion` gets the error. `completion`
    /// runs on this worker, possibly before `detach` returns; it does not run when the
    /// connection is closed first. Worker thread only.
    public func detach(_ completion: @escaping (Result<TCPSocketDescriptor, UVError>) -> Void) {
        guard let handle else {
            completion(.failure(UVError(code: UV_EBADF.rawValue, operation: "uv_fileno")))
            return
        }
        uv_read_stop(asUVStream(handle))
        onWritesDrained = { [unowned self] in completion(handOver()) }
        if queuedWriteBytes == 0 { writeCompleted() }
    }

    /// A connection on `worker` (call on its thread) for the socket another worker detached
    /// (``detach(_:)``); it does not read until ``startReading(onRead:onEnd:)``. On failure
    /// the descriptor is still the caller's.
    public convenience init(adopting socket: TCPSocketDescriptor, worker: MediaWorker) throws(UVError) {
        try self.init(worker: worker)
        guard let handle else { throw UVError(code: UV_EBADF.rawValue, operation: "uv_tcp_open") }
        let status = uv_tcp_open(handle, uv_os_sock_t(socket.rawValue))
        guard status == 0 else {
            // The handle never took the descriptor: closing it leaves the socket to the caller.
            close()
            throw UVError(code: status, operation: "uv_tcp_open")
        }
    }

    /// A queued write finished: hands the socket over when ``detach(_:)`` waits for the queue.
    func writeCompleted() {
        guard queuedWriteBytes == 0, let drained = onWritesDrained else { return }
        onWritesDrained = nil
        drained()
    }

    /// Duplicates the descriptor and closes the handle (nothing is queued now).
    private func handOver() -> Result<TCPSocketDescriptor, UVError> {
        guard let handle else { return .failure(UVError(code: UV_EBADF.rawValue, operation: "uv_fileno")) }
        var descriptor = uv_os_fd_t()
        let status = uv_fileno(asUVHandle(handle), &descriptor)
        guard status == 0 else { return .failure(UVError(code: status, operation: "uv_fileno")) }
        let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else { return .failure(UVError(code: -errno, operation: "dup")) }
        close()
        return .success(TCPSocketDescriptor(rawValue: duplicate))
    }
}
