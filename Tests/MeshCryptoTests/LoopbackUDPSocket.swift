#if canImport(Glibc)
    import Glibc
#endif

/// A plain POSIX UDP socket on 127.0.0.1 for the interop test (the runtime module's libuv
/// sockets are not available to MeshCrypto's tests). Closed by `deinit`.
final class LoopbackUDPSocket {
    let descriptor: Int32
    /// The port the kernel picked.
    let port: UInt16
    /// Where the last datagram came from; replies go there.
    private var peer = sockaddr_in()
    private var hasPeer = false

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            close(descriptor)
            throw SocketError(call: "bind", code: errno)
        }
        var actualLength = length
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &actualLength) }
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(descriptor) }

    /// Waits up to `milliseconds` for one datagram; `nil` when none came.
    func receive(waitingAtMost milliseconds: Int32) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let received = buffer.withUnsafeMutableBytes { bytes in
            withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                }
            }
        }
        guard received > 0 else { return nil }
        hasPeer = true
        return Array(buffer.prefix(received))
    }

    /// Sends `datagram` to whoever sent the last one.
    func reply(_ datagram: [UInt8]) throws {
        guard hasPeer else { return }
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard sent == datagram.count else { throw SocketError(call: "sendto", code: errno) }
    }
}

/// A failed socket call and its errno.
struct SocketError: Error {
    let call: String
    let code: Int32
}
