import CLibUV

/// A send queued after `EAGAIN`: the request and the pool buffer holding the copy, released
/// together in the completion callback (which libuv also runs, with `UV_ECANCELED`, on close).
struct QueuedUDPSend {
    let buffer: UnsafeMutableRawPointer
    let pool: Unmanaged<PacketBufferPool>

    static func send(
        copyOf bytes: UnsafeRawBufferPointer, on handle: UnsafeMutablePointer<uv_udp_t>,
        to destination: SocketAddress, pool: PacketBufferPool
    ) throws(UVError) {
        guard bytes.count <= pool.bufferSize, let slot = pool.acquire(), let base = slot.baseAddress else {
            throw UVError(code: UV_ENOBUFS.rawValue, operation: "uv_udp_send (no pool buffer for the copy)")
        }
        if let source = bytes.baseAddress { base.copyMemory(from: source, byteCount: bytes.count) }
        let context = UnsafeMutablePointer<QueuedUDPSend>.allocate(capacity: 1)
        context.initialize(to: QueuedUDPSend(buffer: base, pool: .passRetained(pool)))
        let request = UnsafeMutablePointer<uv_udp_send_t>.allocate(capacity: 1)
        request.initialize(to: uv_udp_send_t())
        request.pointee.data = UnsafeMutableRawPointer(context)
        var buffer = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let status = destination.withSockAddr { address, _ in
            uv_udp_send(request, handle, &buffer, 1, address) { request, _ in
                guard let request else { return }
                if let context = request.pointee.data?.assumingMemoryBound(to: QueuedUDPSend.self) {
                    context.pointee.pool.takeRetainedValue().release(context.pointee.buffer)
                    context.deinitialize(count: 1)
                    context.deallocate()
                }
                request.deallocate()
            }
        }
        if status != 0 {
            context.pointee.pool.takeRetainedValue().release(base)
            context.deinitialize(count: 1)
            context.deallocate()
            request.deallocate()
            throw UVError(code: status, operation: "uv_udp_send")
        }
    }
}
