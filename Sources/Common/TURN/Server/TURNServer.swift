import MeshCrypto
import MeshWire

/// The TURN server (RFC 8656) as a state machine over received bytes: no sockets, no clock.
///
/// The host feeds it each datagram from a client (``receive(_:from:transport:now:into:)``) and
/// each datagram a relayed socket receives from a peer
/// (``receive(fromPeer:at:payload:now:into:)``), and does what the answer says: send a reply
/// to the client, send a payload from a relayed address to a peer, or nothing. It calls
/// ``expire(now:)`` about once a second and opens or closes relayed sockets as
/// ``takeEvents()`` reports allocations opening and closing.
///
/// Nothing is remembered about a client before a request authenticates (the nonce is
/// stateless, ``TURNNonceIssuer``); the only per-source state is the bounded 401 limiter. The
/// relay path (ChannelData, Send, peer data) allocates nothing: look-ups are hashed on value
/// types and the payload is borrowed from the input or written into the caller's buffer.
public struct TURNServer: Sendable {
    /// Limits and timers.
    public let configuration: TURNServerConfiguration
    /// Which peers may be relayed to.
    public private(set) var policy: TURNPeerPolicy
    let credentials: TURNCredentialVerifier
    let nonces: TURNNonceIssuer
    /// What this server shares with the node's other servers (one per media worker): relay
    /// ports, quotas, ended credentials, sessions here, the alternate, the 401 limiter.
    public let ledger: TURNNodeLedger
    var allocations: [TURNFiveTuple: TURNAllocation] = [:]
    var allocationOfRelayed: [STUNTransportAddress: TURNFiveTuple] = [:]
    var events: [TURNAllocationEvent] = []
    /// Where new allocations go while this node drains: an authenticated Allocate is answered
    /// 300 Try Alternate with ALTERNATE-SERVER (RFC 8489 §10, RFC 8656 §7.2), the alternate for
    /// the client's address, when the client's family matches and the address is one it can
    /// reach (never loopback for a remote client); live allocations keep being served, and so
    /// are the credentials of media sessions live on this node
    /// (``sessionStarted(credentialID:now:)``), since in the default mode no other node may
    /// relay to this node's media. `nil`: no redirect. Kept in the ledger: setting it on one
    /// server sets it for the node.
    public var alternates: TURNAlternates? {
        get { ledger.alternates }
        nonmutating set { ledger.alternates = newValue }
    }

    /// A server with its credentials, nonce issuer, peer policy and relayed addresses.
    public init(
        configuration: TURNServerConfiguration = TURNServerConfiguration(), secrets: [TURNSecret],
        nonces: TURNNonceIssuer = TURNNonceIssuer(), policy: TURNPeerPolicy, relayPorts: TURNRelayPorts
    ) {
        self.configuration = configuration
        self.credentials = TURNCredentialVerifier(secrets: secrets, realm: configuration.realm)
        self.nonces = nonces
        self.policy = policy
        self.ledger = TURNNodeLedger(
            relayPorts: relayPorts, challengesPerSourcePerSecond: configuration.challengesPerSourcePerSecond)
    }

    /// Another server of the same node (for another media worker): the same credentials,
    /// nonce key and ledger, so quotas, relay ports and ended credentials are the node's; its
    /// own allocations, events and peer `policy`.
    public func sibling(policy: TURNPeerPolicy) -> TURNServer {
        var server = self
        server.policy = policy
        server.allocations = [:]
        server.allocationOfRelayed = [:]
        server.events = []
        return server
    }

    /// Live allocations of this server (``TURNNodeLedger/allocationCount`` for the node's).
    public var allocationCount: Int { allocations.count }

    /// The relayed address of the allocation on `fiveTuple`, if any.
    public func relayedAddress(of fiveTuple: TURNFiveTuple) -> STUNTransportAddress? {
        allocations[fiveTuple]?.relayed
    }

    /// The 5-tuple of the allocation relaying from `relayed`, if any.
    public func fiveTuple(relayedAt relayed: STUNTransportAddress) -> TURNFiveTuple? {
        allocationOfRelayed[relayed]
    }

    /// The allocation events since the last call, oldest first.
    public mutating func takeEvents() -> [TURNAllocationEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Handles one datagram (or one frame cut from a stream) from a client: a STUN message or
    /// ChannelData, told apart by the first two bits (RFC 8656 §12: 0b00 STUN, 0b01 ChannelData).
    public mutating func receive(
        _ bytes: UnsafeRawBufferPointer, from client: STUNTransportAddress, transport: TURNClientTransport = .udp,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        let fiveTuple = TURNFiveTuple(client: client, transport: transport)
        guard let first = bytes.first else { return .drop(.notTURN) }
        switch first >> 6 {
        case 0b00: break
        case 0b01: return channelData(bytes, on: fiveTuple, now: now)
        default: return .drop(.notTURN)
        }
        let message: STUNMessage
        do { message = try STUNMessage(parsing: bytes) } catch { return .drop(.malformed) }
        if message.fingerprintIsValid == false { return .drop(.malformed) }
        switch message.type.messageClass {
        case .request: return request(message, on: fiveTuple, now: now, into: output)
        case .indication:
            return message.type.method == .send ? sendIndication(message, on: fiveTuple, now: now) : .drop(.notTURN)
        case .successResponse, .errorResponse: return .drop(.notTURN)
        }
    }

    /// Ends every allocation whose lifetime ran out and every expired permission and channel.
    public mutating func expire(now: TURNInstant) {
        for (fiveTuple, allocation) in allocations where allocation.expiry <= now {
            close(fiveTuple, reason: .expired, now: now)
        }
        for fiveTuple in allocations.keys { allocations[fiveTuple]?.expireChildren(now: now) }
    }

    /// Ends every allocation made with a credential whose id (after `expiry:`) is `id`, and
    /// refuses the credential from now on (401): the media session it was minted for has ended.
    public mutating func removeAllocations(credentialID id: String, now: TURNInstant) {
        let key = Array(id.utf8)
        ledger.sessionEnded(key, now: now)
        guard ledger.hasAllocations(credentialID: key) else { return }
        for (fiveTuple, allocation) in allocations where allocation.credentialID == key {
            close(fiveTuple, reason: .sessionEnded, now: now)
        }
    }

    /// Notes that the media session `id` (a credential's id) now lives on this node: a draining
    /// server keeps allocating for it instead of sending it to the alternate. An id already
    /// ended is not noted, so the set holds live sessions only.
    public func sessionStarted(credentialID id: String, now: TURNInstant) {
        ledger.sessionStarted(Array(id.utf8), now: now)
    }

    /// Ends every allocation of this server (shutdown), each reported closed.
    public mutating func removeAll(now: TURNInstant) {
        for fiveTuple in Array(allocations.keys) { close(fiveTuple, reason: .removed, now: now) }
    }

    /// Ends the allocation on `fiveTuple` (the client's session ended, or shutdown).
    public mutating func remove(_ fiveTuple: TURNFiveTuple, now: TURNInstant) {
        close(fiveTuple, reason: .removed, now: now)
    }

    private mutating func request(
        _ message: STUNMessage, on fiveTuple: TURNFiveTuple, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        let method = message.type.method
        if method == .binding { return binding(message, on: fiveTuple, now: now, into: output) }
        guard [.allocate, .refresh, .createPermission, .channelBind].contains(method) else {
            // RFC 8489 §6.3.1: a request for a method the server does not know gets 400. RFC 6062
            // (Connect, ConnectionBind) and RFC 8016 (mobility) methods land here too.
            guard ledger.allowChallenge(to: fiveTuple.client.ip, now: now) else {
                return .drop(.challengeRateLimited)
            }
            return reply(to: message, key: nil, into: output, error: 400)
        }
        let key: STUNIntegrityKey
        let username: UnsafeRawBufferPointer
        switch authenticate(message, on: fiveTuple, now: now, into: output) {
        case let .authenticated(authenticatedKey, authenticatedUsername):
            key = authenticatedKey
            username = authenticatedUsername
        case let .answered(answer):
            return answer
        }
        if let unknown = unknownRequiredAttributes(of: message) {
            return reply(to: message, key: key, into: output, error: 420) { builder in
                try builder.appendUnknownAttributes(unknown)
            }
        }
        switch method {
        case .allocate: return allocate(message, on: fiveTuple, username: username, key: key, now: now, into: output)
        case .refresh: return refresh(message, on: fiveTuple, username: username, key: key, now: now, into: output)
        case .createPermission:
            return createPermission(message, on: fiveTuple, username: username, key: key, now: now, into: output)
        default: return channelBind(message, on: fiveTuple, username: username, key: key, now: now, into: output)
        }
    }

    /// A Binding request: a TURN server is a STUN server too (RFC 8656 §4), and answers
    /// without authentication. It counts against the same per-source limit as 401s, since
    /// its answer is also sent to an address nobody has proved.
    private mutating func binding(
        _ message: STUNMessage, on fiveTuple: TURNFiveTuple, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        guard ledger.allowChallenge(to: fiveTuple.client.ip, now: now) else { return .drop(.challengeRateLimited) }
        return reply(to: message, key: nil, into: output) { builder in
            try builder.appendXORAddress(fiveTuple.client)
        }
    }

    /// Removes an allocation, frees its relayed port and reports it closed.
    mutating func close(_ fiveTuple: TURNFiveTuple, reason: TURNCloseReason, now: TURNInstant) {
        guard let allocation = allocations.removeValue(forKey: fiveTuple) else { return }
        allocationOfRelayed[allocation.relayed] = nil
        ledger.release(credentialID: allocation.credentialID, relayed: allocation.relayed)
        events.append(
            .closed(
                username: String(decoding: allocation.username, as: UTF8.self), fiveTuple: fiveTuple,
                relayed: allocation.relayed, reason: reason,
                durationMilliseconds: now.milliseconds - allocation.opened.milliseconds,
                bytesFromClient: allocation.bytesFromClient, bytesToClient: allocation.bytesToClient,
                dropped: allocation.packetsDropped))
    }
}

/// What the host does with a client's datagram.
public enum TURNServerOutput {
    /// Send the first `count` bytes of the output buffer back to the client.
    case reply(count: Int)
    /// Send `payload` from the allocation's relayed address to `peer` (Send indication,
    /// ChannelData). The payload is borrowed from the received bytes.
    case relay(peer: STUNTransportAddress, relayed: STUNTransportAddress, payload: UnsafeRawBufferPointer)
    /// Send nothing.
    case drop(TURNDropReason)
}

/// What the host does with a datagram a relayed socket received from a peer.
public enum TURNPeerOutput: Equatable {
    /// Send the first `count` bytes of the output buffer (ChannelData or a Data indication)
    /// to the client of `fiveTuple`.
    case deliver(to: TURNFiveTuple, count: Int)
    /// Send nothing.
    case drop(TURNDropReason)
}

/// Why nothing was sent; each names the rule, for counters and tests.
public enum TURNDropReason: String, Equatable, Sendable {
    /// Neither STUN nor ChannelData, or a STUN message the server does not act on (a
    /// response, an indication other than Send).
    case notTURN = "not-turn"
    /// Bytes that do not parse, or a FINGERPRINT that does not match (RFC 8489 §7.3).
    case malformed
    /// No allocation on this 5-tuple or relayed address (indications are never answered).
    case noAllocation = "no-allocation"
    /// No permission for the peer's IP (RFC 8656 §10.2, §11.5: silently discarded).
    case noPermission = "no-permission"
    /// ChannelData on an unbound channel (RFC 8656 §12.6).
    case noChannel = "no-channel"
    /// The peer policy refuses the peer.
    case forbiddenPeer = "forbidden-peer"
    /// A Send indication missing XOR-PEER-ADDRESS or DATA, or with DONT-FRAGMENT the relay
    /// cannot honour (RFC 8656 §10.2).
    case badIndication = "bad-indication"
    /// The allocation's bandwidth cap.
    case overBandwidth = "over-bandwidth"
    /// The per-source limit on unauthenticated answers.
    case challengeRateLimited = "challenge-rate-limited"
    /// A 401 or 438 would be larger than the request that drew it.
    case challengeLargerThanRequest = "challenge-larger-than-request"
    /// The output buffer cannot hold the answer.
    case outputTooSmall = "output-too-small"
    /// A TCP or TLS client is this far behind reading: its data is dropped rather than queued
    /// without bound (the host decides; the server never returns it).
    case clientBacklog = "client-backlog"
    /// The in-process handoff between the relay's worker and the media worker is full (the
    /// worker is that far behind): dropped as a full socket would drop it (the host decides).
    case handoffFull = "handoff-full"
    /// The UDP listener's send buffer was full when the relay flushed its batch to clients: the
    /// rest of the batch is dropped, as a full socket drops it (the host decides).
    case clientSocketFull = "client-socket-full"
}
