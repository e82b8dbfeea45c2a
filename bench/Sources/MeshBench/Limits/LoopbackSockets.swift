import Glibc

/// The probe's sockets: one sender and `destinations` receivers bound to 127.0.0.1 on ports the
/// kernel picks, with their addresses in one preallocated array. The receivers ask for the
/// smallest receive buffer the kernel grants (it rounds 1 byte up to its minimum, a datagram or
/// two), so a round or two of datagrams fills every one of them, however many there are.
struct LoopbackSockets {
    let sender: Int32
    private let receivers: [Int32]
    private let addresses: UnsafeMutablePointer<sockaddr_in>

    init(destinations: Int) throws {
        guard destinations > 0 else { throw SendLimitError(operation: "at least one destination", code: EINVAL) }
        var opened: [Int32] = []
        let addresses = UnsafeMutablePointer<sockaddr_in>.allocate(capacity: destinations)
        do {
            let sender = try Self.bound()
            opened.append(sender)
            for index in 0..<destinations {
                let receiver = try Self.bound()
                opened.append(receiver)
                var smallest: Int32 = 1
                guard setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &smallest, socklen_t(MemoryLayout<Int32>.size)) == 0
                else { throw SendLimitError(operation: "SO_RCVBUF", code: errno) }
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let status = (addresses + index).withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getsockname(receiver, $0, &length)
                }
                guard status == 0 else { throw SendLimitError(operation: "getsockname", code: errno) }
            }
            self.sender = sender
            receivers = Array(opened.dropFirst())
            self.addresses = addresses
        } catch {
            opened.forEach { _ = Glibc.close($0) }
            addresses.deallocate()
            throw error
        }
    }

    /// The address of destination `index`.
    func address(_ index: Int) -> UnsafePointer<sockaddr_in> { UnsafePointer(addresses + index) }

    func close() {
        _ = Glibc.close(sender)
        receivers.forEach { _ = Glibc.close($0) }
        addresses.deallocate()
    }

    /// A UDP socket bound to 127.0.0.1 on a port the kernel picks.
    private static func bound() throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw SendLimitError(operation: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            let code = errno
            _ = Glibc.close(socket)
            throw SendLimitError(operation: "bind", code: code)
        }
        return socket
    }
}
