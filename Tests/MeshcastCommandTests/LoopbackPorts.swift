import Glibc

/// Loopback addresses and ports the kernel says are free, for tests that start nodes.
enum LoopbackPorts {
    /// `127.0.0.1:port` as a socket address.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    /// A port the kernel says is free now: bind port 0 on loopback and read it back.
    static func freeTCPPort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
            }
        }
        guard bound else { throw LocalRedis.StartFailure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The first of ten UDP ports, at a random place in 41000-47990, whose first port is free.
    static func freeUDPRange() throws -> Int {
        for _ in 0..<50 {
            let first = Int.random(in: 4100...4799) * 10
            let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = loopback(port: first)
            let free = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(socket)
            if free { return first }
        }
        throw LocalRedis.StartFailure(description: "no free UDP port range found")
    }
}
