import MeshWire

/// One live allocation as an operator sees it (`GET /v1/turn`).
public struct TURNAllocationSummary: Sendable, Equatable {
    /// The USERNAME that created it (`expiry:session id`).
    public var username: String
    /// The client's 5-tuple.
    public var fiveTuple: TURNFiveTuple
    /// The relayed transport address.
    public var relayed: STUNTransportAddress
    /// When it opened.
    public var opened: TURNInstant
    /// When it expires unless refreshed.
    public var expiry: TURNInstant
    /// Peer IPs with a live permission.
    public var permissions: Int
    /// Bound channels.
    public var channels: Int
    /// Payload bytes relayed from the client to peers.
    public var bytesFromClient: Int64
    /// Payload bytes relayed from peers to the client.
    public var bytesToClient: Int64
    /// Packets dropped by the bandwidth cap.
    public var dropped: Int64
}

extension TURNServer {
    /// Every live allocation, oldest first (control plane: allocates).
    public func allocationSummaries() -> [TURNAllocationSummary] {
        allocations.values.sorted { $0.opened.milliseconds < $1.opened.milliseconds }.map { allocation in
            TURNAllocationSummary(
                username: String(decoding: allocation.username, as: UTF8.self), fiveTuple: allocation.fiveTuple,
                relayed: allocation.relayed, opened: allocation.opened, expiry: allocation.expiry,
                permissions: allocation.permissions.count, channels: allocation.channels.count,
                bytesFromClient: allocation.bytesFromClient, bytesToClient: allocation.bytesToClient,
                dropped: allocation.packetsDropped)
        }
    }

    /// Live allocations per client transport.
    public func allocationCountsByTransport() -> [TURNClientTransport: Int] {
        var counts: [TURNClientTransport: Int] = [:]
        for fiveTuple in allocations.keys { counts[fiveTuple.transport, default: 0] += 1 }
        return counts
    }
}
