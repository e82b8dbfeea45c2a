/// A host and port, such as a node's API address; written `host:port` or `[v6]:port`.
public struct EndpointAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal (without brackets) or a DNS name.
    public var host: String
    /// The TCP or UDP port, 1-65535.
    public var port: UInt16

    /// Creates an address.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The address as written in a topology or a URL authority.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// An IP address block in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`).
public struct CIDRBlock: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The network address as written, an IPv4 or IPv6 literal.
    public var address: String
    /// The number of leading bits that name the network (0-32 for IPv4, 0-128 for IPv6).
    public var prefixLength: Int

    /// Creates a block; the loader has already checked the address and the prefix length.
    public init(address: String, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The block as a topology writes it.
    public var description: String { "\(address)/\(prefixLength)" }
}
