import CLibUV
import Glibc

/// An IPv4 or IPv6 socket address held inline (a `sockaddr_storage`), so that receive
/// callbacks can hand one out without allocating.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    var storage = sockaddr_storage()

    /// Parses a numeric IPv4 address (`uv_ip4_addr`).
    public init(ipv4 host: String, port: UInt16) throws(UVError) {
        var address = sockaddr_in()
        try UVError.check(uv_ip4_addr(host, Int32(port), &address), "uv_ip4_addr")
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
    }

    /// Parses a numeric IPv6 address (`uv_ip6_addr`).
    public init(ipv6 host: String, port: UInt16) throws(UVError) {
        var address = sockaddr_in6()
        try UVError.check(uv_ip6_addr(host, Int32(port), &address), "uv_ip6_addr")
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: address) { target.copyMemory(from: $0) }
        }
    }

    /// An IPv4 address from its 32 bits (host order) and a port, without going through text, so
    /// a relay can address a peer per packet without allocating.
    public init(ipv4 address: UInt32, port: UInt16) {
        var socket = sockaddr_in()
        socket.sin_family = sa_family_t(AF_INET)
        socket.sin_port = port.bigEndian
        socket.sin_addr.s_addr = address.bigEndian
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: socket) { target.copyMemory(from: $0) }
        }
    }

    /// An IPv6 address from its two 64-bit halves (host order) and a port.
    public init(ipv6High high: UInt64, low: UInt64, port: UInt16) {
        var socket = sockaddr_in6()
        socket.sin6_family = sa_family_t(AF_INET6)
        socket.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &socket.sin6_addr) { target in
            target.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt64.self)
            target.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        withUnsafeMutableBytes(of: &storage) { target in
            withUnsafeBytes(of: socket) { target.copyMemory(from: $0) }
        }
    }

    /// Copies a kernel-provided address (IPv4 or IPv6; anything else leaves an empty address).
    init(copying address: UnsafePointer<sockaddr>) {
        let size: Int
        switch Int32(address.pointee.sa_family) {
        case AF_INET: size = MemoryLayout<sockaddr_in>.size
        case AF_INET6: size = MemoryLayout<sockaddr_in6>.size
        default: return
        }
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: size))
        }
    }

    /// `AF_INET` or `AF_INET6` (0 when empty).
    public var family: Int32 { Int32(storage.ss_family) }

    /// The port, in host byte order.
    public var port: UInt16 {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: 0
            }
        }
    }

    /// Lends the IP address in network byte order: 4 bytes for IPv4, 16 for IPv6, none when
    /// the address is empty. Lets protocol code (STUN's XOR-MAPPED-ADDRESS) encode it without
    /// going through text.
    public func withIPAddressBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                let offset = MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_addr) ?? 4
                return try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4]))
            case AF_INET6:
                let offset = MemoryLayout<sockaddr_in6>.offset(of: \sockaddr_in6.sin6_addr) ?? 8
                return try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 16]))
            default:
                return try body(UnsafeRawBufferPointer(rebasing: raw[0..<0]))
            }
        }
    }

    /// The length the kernel expects for this family.
    var length: socklen_t {
        socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
    }

    /// Lends the address as a `sockaddr` pointer and its length.
    func withSockAddr<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafePointer(to: storage) { storage throws(Failure) in
            try storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer throws(Failure) in
                try body(pointer, length)
            }
        }
    }

    /// Lends the storage as a `sockaddr` for the kernel or libuv to fill in (getsockname).
    @discardableResult
    mutating func withMutableSockAddr<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<sockaddr>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafeMutablePointer(to: &storage) { storage throws(Failure) in
            try storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer throws(Failure) in
                try body(pointer)
            }
        }
    }

    /// The numeric host (control-plane convenience; allocates).
    public var host: String {
        var text = [CChar](repeating: 0, count: 64)
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET:
                var address = raw.load(as: sockaddr_in.self)
                _ = uv_ip4_name(&address, &text, text.count)
            case AF_INET6:
                var address = raw.load(as: sockaddr_in6.self)
                _ = uv_ip6_name(&address, &text, text.count)
            default:
                break
            }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        guard lhs.family == rhs.family, lhs.port == rhs.port else { return false }
        return withUnsafeBytes(of: lhs.storage) { left in
            withUnsafeBytes(of: rhs.storage) { right in
                switch lhs.family {
                case AF_INET:
                    left.load(as: sockaddr_in.self).sin_addr.s_addr == right.load(as: sockaddr_in.self).sin_addr.s_addr
                case AF_INET6:
                    left[8..<24].elementsEqual(right[8..<24])
                default:
                    true
                }
            }
        }
    }

    /// Hashes what `==` compares (family, port, address), so sessions can be found by 5-tuple.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(family)
        hasher.combine(port)
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: hasher.combine(raw.load(fromByteOffset: 4, as: UInt32.self))
            case AF_INET6: hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[8..<24]))
            default: break
            }
        }
    }
}
