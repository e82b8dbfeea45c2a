import CLibUV

/// How every libuv handle in MeshRuntime is allocated and closed (mediasoup's discipline).
///
/// A handle's memory belongs to libuv from `uv_*_init` until its close callback runs, so it is
/// never freed in a `deinit` or right after `uv_close`: the owner clears `handle->data` (so no
/// callback reaches a dead Swift object), stops the handle, calls ``close(_:)``, and the close
/// callback frees the memory.
enum LoopHandleMemory {
    /// Zeroed memory sized by libuv itself for a handle of `type`.
    static func allocate<Handle>(_ type: uv_handle_type, as _: Handle.Type) -> UnsafeMutablePointer<Handle> {
        let size = uv_handle_size(type)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        return raw.bindMemory(to: Handle.self, capacity: 1)
    }

    /// Allocates a handle of `type` and runs its `uv_*_init` (`operation`); when that fails the
    /// memory is freed at once (libuv never saw the handle) and the status is thrown.
    static func initialize<Handle>(
        _ type: uv_handle_type, as handleType: Handle.Type, _ operation: String,
        _ initialize: (UnsafeMutablePointer<Handle>) -> Int32
    ) throws(UVError) -> UnsafeMutablePointer<Handle> {
        let handle = allocate(type, as: handleType)
        let status = initialize(handle)
        guard status == 0 else {
            freeUninitialized(handle)
            throw UVError(code: status, operation: operation)
        }
        return handle
    }

    /// Frees a handle whose `uv_*_init` failed (libuv never saw it, so no close is needed).
    static func freeUninitialized<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        UnsafeMutableRawPointer(handle).deallocate()
    }

    /// Clears `data` and closes the handle; its memory is freed in the close callback.
    /// The caller stops the handle first (recv/read/timer stop).
    static func close<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        let base = asUVHandle(handle)
        base.pointee.data = nil
        guard uv_is_closing(base) == 0 else { return }
        uv_close(base) { closed in
            UnsafeMutableRawPointer(closed)?.deallocate()
        }
    }
}

/// Views any libuv handle as the `uv_handle_t` every handle type begins with.
@inline(__always)
func asUVHandle<Handle>(_ handle: UnsafeMutablePointer<Handle>) -> UnsafeMutablePointer<uv_handle_t> {
    UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
}

/// Views a TCP handle as the `uv_stream_t` it begins with.
@inline(__always)
func asUVStream(_ handle: UnsafeMutablePointer<uv_tcp_t>) -> UnsafeMutablePointer<uv_stream_t> {
    UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_stream_t.self)
}

/// Something a worker closes when it stops: sockets, listeners, timers, inboxes.
protocol WorkerOwnedHandle: AnyObject {
    /// Closes the handle (idempotent); runs on the worker's thread.
    func close()
}
