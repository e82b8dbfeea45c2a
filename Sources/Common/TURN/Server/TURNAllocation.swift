import MeshCrypto
import MeshWire

/// The transport a client reached the server over (RFC 8656 §3.1); the relayed side is
/// always UDP.
public enum TURNClientTransport: Hashable, Sendable {
    /// One datagram per message; ChannelData needs no padding.
    case udp
    /// A TCP byte stream; ChannelData is padded to 4 bytes (RFC 8656 §12.5).
    case tcp
    /// TLS over TCP: a byte stream like TCP once decrypted.
    case tls

    /// Whether messages travel on a byte stream (framed, ChannelData padded).
    public var isStream: Bool { self != .udp }

    /// `udp`, `tcp` or `tls`, for logs, metrics and `/v1/turn`.
    public var name: String {
        switch self {
        case .udp: "udp"
        case .tcp: "tcp"
        case .tls: "tls"
        }
    }
}

/// The client side of an allocation's 5-tuple (RFC 8656 §2): with one listener per transport
/// the server's address is implied, so the client address and transport identify it.
public struct TURNFiveTuple: Hashable, Sendable, CustomStringConvertible {
    /// The client's transport address as the server sees it.
    public var client: STUNTransportAddress
    /// The transport it came over.
    public var transport: TURNClientTransport

    /// A 5-tuple from its parts.
    public init(client: STUNTransportAddress, transport: TURNClientTransport) {
        self.client = client
        self.transport = transport
    }

    public var description: String { "\(transport.name)/\(client)" }
}

/// One allocation (RFC 8656 §2.2, §5): its relayed address, owner, timers, permissions and
/// channels, and its counters for the close log line.
struct TURNAllocation: Sendable {
    let fiveTuple: TURNFiveTuple
    let relayed: STUNTransportAddress
    /// The USERNAME that created it; later requests must carry the same (441 otherwise).
    let username: [UInt8]
    /// The REST id (after `expiry:`), which quotas count.
    let credentialID: [UInt8]
    /// The key the creating request authenticated with; responses are signed with it.
    let key: STUNIntegrityKey
    let opened: TURNInstant
    var expiry: TURNInstant
    /// The Allocate transaction, so a retransmission gets the same success again (RFC 8656 §7.2).
    let allocateTransaction: STUNTransactionID
    let lifetime: UInt32
    let reservationToken: UInt64?
    /// Peer IP → permission expiry (RFC 8656 §9: permissions are per IP, ports ignored).
    var permissions: [STUNIPAddress: TURNInstant] = [:]
    /// Channel → peer and binding expiry, and the reverse map (RFC 8656 §12).
    var channels: [UInt16: (peer: STUNTransportAddress, expiry: TURNInstant)] = [:]
    var channelOfPeer: [STUNTransportAddress: UInt16] = [:]
    var bandwidth: TURNBandwidthBucket
    var bytesFromClient: Int64 = 0
    var bytesToClient: Int64 = 0
    var packetsDropped: Int64 = 0

    func hasPermission(for ip: STUNIPAddress, now: TURNInstant) -> Bool {
        guard let expiry = permissions[ip] else { return false }
        return now < expiry
    }

    /// Drops expired permissions and channel bindings.
    mutating func expireChildren(now: TURNInstant) {
        for (ip, expiry) in permissions where expiry <= now { permissions[ip] = nil }
        for (number, binding) in channels where binding.expiry <= now {
            channels[number] = nil
            channelOfPeer[binding.peer] = nil
        }
    }
}

/// What the server tells its host about an allocation's life, for the open and close log
/// lines (issue 13, operations).
public enum TURNAllocationEvent: Equatable, Sendable, CustomStringConvertible {
    /// An allocation was created.
    case opened(username: String, fiveTuple: TURNFiveTuple, relayed: STUNTransportAddress, lifetime: UInt32)
    /// An allocation ended: refreshed to 0, expired, or removed by the host.
    case closed(
        username: String, fiveTuple: TURNFiveTuple, relayed: STUNTransportAddress, reason: TURNCloseReason,
        durationMilliseconds: Int64, bytesFromClient: Int64, bytesToClient: Int64, dropped: Int64)

    public var description: String {
        switch self {
        case let .opened(username, fiveTuple, relayed, lifetime):
            return "turn allocation opened user=\(username) from=\(fiveTuple) relayed=\(relayed) lifetime=\(lifetime)s"
        case let .closed(username, fiveTuple, relayed, reason, duration, up, down, dropped):
            return
                "turn allocation closed user=\(username) from=\(fiveTuple) relayed=\(relayed) reason=\(reason.rawValue) "
                + "duration=\(duration)ms bytes_from_client=\(up) bytes_to_client=\(down) dropped=\(dropped)"
        }
    }
}

/// Why an allocation ended.
public enum TURNCloseReason: String, Equatable, Sendable {
    /// Refresh with LIFETIME 0 (RFC 8656 §7.3).
    case refreshedToZero = "refresh-0"
    /// Its lifetime ran out (RFC 8656 §7).
    case expired
    /// The host removed it (shutdown).
    case removed
    /// The media session its credential was minted for ended.
    case sessionEnded = "session-ended"
}
