import Glibc

/// Probes ports on 127.0.0.1 by binding them for a moment: how `meshcast up` finds a free port
/// for its `redis-server`, and how tests find ports for theirs and for the nodes they start.
///
/// A probe answers for now only; another process may take the port before the caller binds it,
/// so callers that can lose that race retry with the next port.
public enum LoopbackPort {
    /// The transport a port is probed for: TCP and UDP ports are separate namespaces.
    public enum Transport: Sendable {
        case tcp
        case udp
    }

    /// Binds `127.0.0.1:port` and releases it at once: the port bound (the kernel's choice when
    /// `port` is 0), or nil when it is taken or no socket could be made.
    public static func probe(_ port: Int, _ transport: Transport = .tcp) -> Int? {
        guard (0...Int(UInt16.max)).contains(port) else { return nil }
        let type = transport == .tcp ? SOCK_STREAM : SOCK_DGRAM
        let descriptor = socket(AF_INET, Int32(type.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Whether a listener could bind `127.0.0.1:port` now.
    public static func isFree(_ port: Int, _ transport: Transport = .tcp) -> Bool {
        probe(port, transport) != nil
    }

    /// The next port of `candidates` that a loopback listener could bind now; the ports before
    /// it are used up, so a caller that lost the race to the port asks again for the next one.
    public static func nextFree(_ candidates: inout Range<Int>.Iterator) -> Int? {
        while let port = candidates.next() {
            if isFree(port) { return port }
        }
        return nil
    }
}
