import MeshCrypto
import MeshWire

/// The client side of one TURN allocation towards one peer (RFC 8656), as a state machine with
/// no socket and no clock: the host hands it the server's STUN messages and the time, and sends
/// the requests it writes. It allocates (first without credentials: the 401 names REALM and
/// NONCE, RFC 8489 §9.2.3), binds one channel to the peer (which installs the permission too,
/// RFC 8656 §11), and keeps both alive: the allocation a minute before its lifetime ends, the
/// channel every 4 minutes (its permission lasts 5, §9). A 438 (stale nonce) is retried with the
/// new nonce. Over UDP an unanswered request is sent again (RFC 8489 §6.2.1, doubling from
/// 500 ms, 7 times); over TCP it is not (the stream is reliable).
///
/// Media goes as ChannelData (``TURNChannelData``): 4 bytes of header, no STUN per packet.
struct TURNClientSession {
    /// Where the session is.
    enum State: Equatable {
        case allocating
        case binding
        case ready
        case failed(String)
    }

    /// The channel bound to the peer; one peer, so the first number (RFC 8656 §12).
    static let channel: UInt16 = 0x4000
    /// The allocation lifetime asked for (RFC 8656's default).
    static let requestedLifetime: UInt32 = 600
    /// Nanoseconds between ChannelBind refreshes: the permission it installs lasts 300 s.
    static let channelRefreshInterval: UInt64 = 240_000_000_000
    /// First UDP retransmission timeout (RFC 8489 §6.2.1's RTO) and the number of sends.
    static let initialRetransmit: UInt64 = 500_000_000
    static let maximumSends = 7

    let username: String
    let password: String
    /// The peer the channel is bound to: the node's media address from the WHEP answer.
    let peer: STUNTransportAddress
    /// Streams are reliable: no retransmissions (RFC 8489 §6.2.2).
    let reliable: Bool
    private(set) var state = State.allocating
    /// The relayed transport address the server gave.
    private(set) var relayed: STUNTransportAddress?
    /// Requests sent (retransmissions included), and refreshes that succeeded.
    private(set) var requestsSent = 0
    private(set) var refreshes = 0
    private var realm: String?
    private var nonce: [UInt8] = []
    private var key: STUNIntegrityKey?
    private var pending: (id: STUNTransactionID, method: STUNMethod, sentAt: UInt64, sends: Int)?
    private var allocationRefreshAt: UInt64 = .max
    private var channelRefreshAt: UInt64 = .max

    init(username: String, password: String, peer: STUNTransportAddress, reliable: Bool) {
        self.username = username
        self.password = password
        self.peer = peer
        self.reliable = reliable
    }

    /// Writes the first Allocate (no credentials yet) into `buffer`; returns its length.
    mutating func start(now: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        request(.allocate, now: now, into: buffer)
    }

    /// Takes a STUN message from the server; returns the length of the next request written
    /// into `buffer`, or 0 when there is none. Messages for other transactions are ignored, and
    /// so are success responses whose MESSAGE-INTEGRITY the key does not verify.
    mutating func handle(_ message: STUNMessage, now: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let pending, message.transactionID == pending.id, message.type.method == pending.method else { return 0 }
        switch message.type.messageClass {
        case .successResponse:
            guard let key, (try? message.verifyIntegrity(.hmacSHA1, key: key)) == true else { return 0 }
            self.pending = nil
            return succeeded(message, method: pending.method, now: now, into: buffer)
        case .errorResponse:
            self.pending = nil
            return refused(message, method: pending.method, now: now, into: buffer)
        default:
            return 0
        }
    }

    /// Retransmits an unanswered request (UDP), or sends a refresh that is due; returns the
    /// length written into `buffer`, or 0.
    mutating func poll(now: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if case .failed = state { return 0 }
        if let pending {
            guard !reliable, now >= pending.sentAt &+ (Self.initialRetransmit << (pending.sends - 1)) else { return 0 }
            guard pending.sends < Self.maximumSends else {
                state = .failed("no answer to \(Self.name(pending.method)) after \(pending.sends) sends")
                self.pending = nil
                return 0
            }
            self.pending = (pending.id, pending.method, now, pending.sends + 1)
            return write(pending.method, id: pending.id, into: buffer)
        }
        guard state == .ready else { return 0 }
        if now >= allocationRefreshAt { return request(.refresh, now: now, into: buffer) }
        if now >= channelRefreshAt { return request(.channelBind, now: now, into: buffer) }
        return 0
    }

    /// Writes a Refresh with LIFETIME 0, which deletes the allocation (RFC 8656 §7.3); the
    /// session is over after it. Returns its length (0 before the server gave a realm).
    mutating func delete(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard key != nil else { return 0 }
        let length = write(.refresh, id: .random(), lifetime: 0, into: buffer)
        state = .failed("deleted")
        pending = nil
        return length
    }

    // MARK: Answers

    private mutating func succeeded(
        _ message: STUNMessage, method: STUNMethod, now: UInt64, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        switch method {
        case .allocate:
            relayed = try? message.xorAddress(.xorRelayedAddress)
            scheduleAllocationRefresh(message, now: now)
            state = .binding
            return request(.channelBind, now: now, into: buffer)
        case .channelBind:
            channelRefreshAt = now &+ Self.channelRefreshInterval
            if state == .ready { refreshes += 1 }
            state = .ready
        case .refresh:
            scheduleAllocationRefresh(message, now: now)
            refreshes += 1
        default: break
        }
        return 0
    }

    private mutating func refused(
        _ message: STUNMessage, method: STUNMethod, now: UInt64, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        let code = (try? message.errorCode)?.code ?? 0
        switch code {
        case 401 where key == nil && method == .allocate:
            // The challenge (RFC 8489 §9.2.4): now we know the realm and nonce to sign with.
            guard let realm = try? message.string(.realm), let nonce = try? message.text(.nonce),
                let key = try? STUNIntegrityKey.longTerm(username: username, realm: realm, password: password)
            else {
                state = .failed("401 without REALM and NONCE")
                return 0
            }
            self.realm = realm
            self.nonce = Array(nonce)
            self.key = key
            return request(.allocate, now: now, into: buffer)
        case 438:
            // Stale nonce (RFC 8489 §9.2.4): the answer carries a fresh one; send again.
            guard let nonce = try? message.text(.nonce) else {
                state = .failed("438 without NONCE")
                return 0
            }
            self.nonce = Array(nonce)
            return request(method, now: now, into: buffer)
        default:
            let reason = (try? message.errorCode).map { $0.reason.isEmpty ? "" : " \($0.reason)" } ?? ""
            state = .failed("\(Self.name(method)) answered \(code)\(reason)")
            return 0
        }
    }

    /// A minute before the granted lifetime ends (RFC 8656 §7.3 leaves the margin to the client).
    private mutating func scheduleAllocationRefresh(_ message: STUNMessage, now: UInt64) {
        let lifetime = UInt64((try? message.turn.lifetime) ?? Self.requestedLifetime)
        allocationRefreshAt = now &+ (lifetime > 120 ? lifetime - 60 : lifetime / 2) &* 1_000_000_000
    }

    // MARK: Requests

    private mutating func request(_ method: STUNMethod, now: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int
    {
        let id = STUNTransactionID.random()
        pending = (id, method, now, 1)
        return write(method, id: id, into: buffer)
    }

    /// Writes `method`'s request; the same bytes for a retransmission (same transaction ID).
    private mutating func write(
        _ method: STUNMethod, id: STUNTransactionID, lifetime: UInt32 = requestedLifetime,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Int {
        do {
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: method, messageClass: .request), transactionID: id)
            switch method {
            case .allocate:
                try builder.appendRequestedTransport()
                try builder.appendLifetime(Self.requestedLifetime)
            case .refresh:
                try builder.appendLifetime(lifetime)
            default:
                try builder.appendChannelNumber(Self.channel)
                try builder.appendXORAddress(peer, as: .xorPeerAddress)
            }
            if let key, let realm {
                try builder.appendText(.username, username)
                try builder.appendText(.realm, realm)
                try nonce.withUnsafeBytes { try builder.appendText(.nonce, $0) }
                try builder.appendIntegrity(.hmacSHA1, key: key)
            }
            try builder.appendFingerprint()
            requestsSent += 1
            return builder.count
        } catch {
            state = .failed("cannot write \(Self.name(method)): \(error)")
            return 0
        }
    }

    static func name(_ method: STUNMethod) -> String {
        switch method {
        case .allocate: "Allocate"
        case .refresh: "Refresh"
        case .channelBind: "ChannelBind"
        default: "method \(method.rawValue)"
        }
    }
}
