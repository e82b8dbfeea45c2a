import MeshWire

/// Which way a relayed payload went between an allocation and its peer.
public enum TURNRelayPath: String, Sendable {
    /// Through a relayed UDP socket and the kernel (a peer elsewhere, `open` mode).
    case kernel
    /// Handed to the media worker in this process (the peer is the node's own media port).
    case inProcess = "in_process"
}

/// What the TURN server has done since start, for Prometheus (issue 13, operations): answers by
/// method and code, relayed packets and bytes each way and by path, drops by reason, allocations opened by
/// client transport. The host counts every output of ``TURNServer``; nothing here allocates
/// once each key has been seen (the tables are small and fixed by the protocol).
public struct TURNCounters: Sendable {
    /// A response's method and code (200 for a success).
    public struct ResponseKey: Hashable, Sendable {
        /// The request's method.
        public var method: STUNMethod
        /// The ERROR-CODE (RFC 8489 §14.8), or 200 for a success response.
        public var code: Int

        /// A key from its parts.
        public init(method: STUNMethod, code: Int) {
            self.method = method
            self.code = code
        }
    }

    /// Responses sent, by method and code; 401 and 438 are the challenges.
    public private(set) var responses: [ResponseKey: Int] = [:]
    /// Datagrams the server decided not to send, by rule.
    public private(set) var drops: [TURNDropReason: Int] = [:]
    /// Allocations opened, by the client's transport.
    public private(set) var allocationsOpened: [TURNClientTransport: Int] = [:]
    /// Payloads relayed from clients to peers, and their bytes.
    public private(set) var packetsToPeers = 0
    /// Payload bytes relayed from clients to peers.
    public private(set) var bytesToPeers = 0
    /// Payloads relayed from peers to clients, and their bytes (payload only, not the framing).
    public private(set) var packetsToClients = 0
    /// Payload bytes relayed from peers to clients.
    public private(set) var bytesToClients = 0
    /// Of the payloads above, those that went in-process (``TURNRelayPath/inProcess``), each way.
    public private(set) var inProcessPacketsToPeers = 0
    /// Payload bytes relayed in-process from clients to the node's media.
    public private(set) var inProcessBytesToPeers = 0
    /// Payloads relayed in-process from the node's media to clients.
    public private(set) var inProcessPacketsToClients = 0
    /// Payload bytes relayed in-process from the node's media to clients.
    public private(set) var inProcessBytesToClients = 0

    /// TCP and TLS clients moved to their session's worker after authenticating (issue 13,
    /// item 6), by transport; counted by the relay that took them.
    public private(set) var streamClientsMoved: [TURNClientTransport: Int] = [:]
    /// Moves that failed (the client stayed on the listener's worker).
    public private(set) var streamClientMovesFailed = 0

    /// No counts yet.
    public init() {}

    /// Counts one answer to a client's message; `output` is the buffer a `.reply` was written to,
    /// `path` the way a `.relay` went.
    public mutating func count(
        _ answer: TURNServerOutput, output: UnsafeMutableRawBufferPointer, path: TURNRelayPath = .kernel
    ) {
        switch answer {
        case let .reply(count):
            guard let key = Self.responseKey(UnsafeRawBufferPointer(rebasing: output[..<count])) else { return }
            responses[key, default: 0] += 1
        case let .relay(_, _, payload):
            packetsToPeers += 1
            bytesToPeers += payload.count
            if path == .inProcess {
                inProcessPacketsToPeers += 1
                inProcessBytesToPeers += payload.count
            }
        case let .drop(reason):
            drops[reason, default: 0] += 1
        }
    }

    /// Counts one answer to a peer's datagram of `payloadCount` bytes that came by `path`.
    public mutating func count(_ answer: TURNPeerOutput, payloadCount: Int, path: TURNRelayPath = .kernel) {
        switch answer {
        case .deliver:
            packetsToClients += 1
            bytesToClients += payloadCount
            if path == .inProcess {
                inProcessPacketsToClients += 1
                inProcessBytesToClients += payloadCount
            }
        case let .drop(reason):
            drops[reason, default: 0] += 1
        }
    }

    /// Counts `count` datagrams the host dropped by its own rule (``TURNDropReason/clientBacklog``).
    public mutating func countDrop(_ reason: TURNDropReason, count: Int = 1) {
        drops[reason, default: 0] += count
    }

    /// Adds `other`'s counts: the node's figures are the sum of its servers' (one per media
    /// worker, issue 13 item 6).
    public mutating func add(_ other: TURNCounters) {
        responses.merge(other.responses, uniquingKeysWith: +)
        drops.merge(other.drops, uniquingKeysWith: +)
        allocationsOpened.merge(other.allocationsOpened, uniquingKeysWith: +)
        packetsToPeers += other.packetsToPeers
        bytesToPeers += other.bytesToPeers
        packetsToClients += other.packetsToClients
        bytesToClients += other.bytesToClients
        inProcessPacketsToPeers += other.inProcessPacketsToPeers
        inProcessBytesToPeers += other.inProcessBytesToPeers
        inProcessPacketsToClients += other.inProcessPacketsToClients
        inProcessBytesToClients += other.inProcessBytesToClients
        streamClientsMoved.merge(other.streamClientsMoved, uniquingKeysWith: +)
        streamClientMovesFailed += other.streamClientMovesFailed
    }

    /// Counts a stream client over `transport` that moved here, or (`moved: false`) one whose
    /// move failed.
    public mutating func countStreamClientMove(_ transport: TURNClientTransport, moved: Bool) {
        if moved { streamClientsMoved[transport, default: 0] += 1 } else { streamClientMovesFailed += 1 }
    }

    /// Counts an allocation opened over `transport`.
    public mutating func countOpened(_ transport: TURNClientTransport) {
        allocationsOpened[transport, default: 0] += 1
    }

    /// The method and code of a response the server wrote: the code comes from ERROR-CODE,
    /// which ``TURNServer`` always writes as the first attribute of an error response.
    static func responseKey(_ bytes: UnsafeRawBufferPointer) -> ResponseKey? {
        guard bytes.count >= STUNMessage.headerSize else { return nil }
        let type = STUNMessageType(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        switch type.messageClass {
        case .successResponse: return ResponseKey(method: type.method, code: 200)
        case .errorResponse:
            let attribute = STUNMessage.headerSize
            // Type 0x0009, then the value: 2 reserved bytes, class (hundreds), number (RFC 8489 §14.8).
            guard bytes.count >= attribute + 8, bytes[attribute] == 0, bytes[attribute + 1] == 0x09 else { return nil }
            return ResponseKey(
                method: type.method, code: Int(bytes[attribute + 6] & 0x07) * 100 + Int(bytes[attribute + 7]))
        case .request, .indication: return nil
        }
    }
}
