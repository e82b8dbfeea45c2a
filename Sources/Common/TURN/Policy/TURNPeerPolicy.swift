import MeshWire

/// Which peers an allocation may relay to; checked on CreatePermission, ChannelBind and every
/// Send indication (RFC 8656 §9.2, §11.2, §10.2 leave the policy to the server; 403 Forbidden
/// when it refuses).
///
/// The default, ``selfOnly(_:)``, lets a permission or channel point only at this node's own
/// media addresses: all a viewer or publisher of this node needs, and nothing an attacker can
/// use to reach other hosts. ``open(_:)`` relays to other peers except the deny list.
public enum TURNPeerPolicy: Sendable {
    /// Only these transport addresses (the node's media ports) may be peers.
    case selfOnly(Set<STUNTransportAddress>)
    /// Any peer that the ``OpenRelayRules`` permit.
    case open(OpenRelayRules)

    /// Whether a permission for `ip` may be installed (CreatePermission; permissions are per
    /// IP address, RFC 8656 §9).
    public func permits(ip: STUNIPAddress) -> Bool {
        switch self {
        case let .selfOnly(own): own.contains { $0.ip == ip }
        case let .open(rules): rules.permits(ip: ip)
        }
    }

    /// Whether data may be relayed to `peer` (ChannelBind, Send).
    public func permits(peer: STUNTransportAddress) -> Bool {
        switch self {
        case let .selfOnly(own): own.contains(peer)
        case let .open(rules): rules.permits(peer: peer)
        }
    }

    /// One line for the start-up log: the mode and every explicit allow rule.
    public var summary: String {
        switch self {
        case let .selfOnly(own):
            "self-only: peers limited to this node's media addresses \(own.map(\.description).sorted())"
        case let .open(rules):
            "open: deny list of \(OpenRelayRules.deniedV4.count + OpenRelayRules.deniedV6.count) ranges, allow-list "
                + "\(rules.allow.map(\.description)), refused ports \(rules.deniedPorts.sorted()), refused peers "
                + "\(rules.deniedPeers.map(\.description).sorted())"
        }
    }
}

/// The rules of `open` mode: an explicit allow-list first (for tests and private deployments),
/// then the deny list of special-purpose ranges (RFC 6890 and the IANA special-purpose
/// registries), after every IPv4-in-IPv6 form has been turned back into IPv4 (``IPv4Embedding``).
/// The node's own control-plane ports are refused even when allow-listed.
public struct OpenRelayRules: Sendable {
    /// Prefixes relayed to even though the deny list covers them.
    public var allow: [IPPrefix]
    /// Transport addresses never relayed to (the node's HTTP, internal API and Redis ports).
    public var deniedPeers: Set<STUNTransportAddress>
    /// Ports refused on any address this node could answer on (loopback, unspecified, or an
    /// allow-listed address), so a control port is never reachable through the relay.
    public var deniedPorts: Set<UInt16>

    /// Rules with an allow-list and the control-plane addresses and ports to refuse.
    public init(allow: [IPPrefix] = [], deniedPeers: Set<STUNTransportAddress> = [], deniedPorts: Set<UInt16> = []) {
        self.allow = allow
        self.deniedPeers = deniedPeers
        self.deniedPorts = deniedPorts
    }

    /// The IPv4 ranges refused in open mode (issue 13; RFC 6890 §2.2.2 and later assignments).
    public static let deniedV4: [IPPrefix] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].compactMap(IPPrefix.init)

    /// The IPv6 ranges refused in open mode (issue 13; RFC 6890 §2.2.3 and later assignments).
    public static let deniedV6: [IPPrefix] = [
        "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
        "2001::/32", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap(IPPrefix.init)

    /// Whether a permission for `ip` may exist.
    public func permits(ip: STUNIPAddress) -> Bool {
        let plain = IPv4Embedding.normalize(ip)
        if allow.contains(where: { $0.contains(plain) }) { return true }
        // The IPv6 ranges are refused whole, whatever IPv4 address one carries: a mapped,
        // NAT64, 6to4 or Teredo peer is not one a real client names (browsers use the IPv4
        // family for IPv4 peers), and the address it unwraps to is checked as well below.
        if ip.family == .ipv6, Self.deniedV6.contains(where: { $0.contains(ip) }) { return false }
        let denied = plain.family == .ipv4 ? Self.deniedV4 : Self.deniedV6
        return !denied.contains { $0.contains(plain) }
    }

    /// Whether data may be relayed to `peer`.
    public func permits(peer: STUNTransportAddress) -> Bool {
        let plain = STUNTransportAddress(ip: IPv4Embedding.normalize(peer.ip), port: peer.port)
        guard !deniedPeers.contains(plain), !deniedPeers.contains(peer) else { return false }
        if deniedPorts.contains(peer.port), isLocal(plain.ip) { return false }
        return permits(ip: peer.ip)
    }

    /// Addresses that may be this node: loopback, unspecified, or allow-listed (the only
    /// special ranges a peer can reach).
    private func isLocal(_ ip: STUNIPAddress) -> Bool {
        switch ip {
        case let .v4(value): value >> 24 == 127 || value >> 24 == 0 || allow.contains { $0.contains(ip) }
        case let .v6(high, low): (high == 0 && low <= 1) || allow.contains { $0.contains(ip) }
        }
    }
}
