import MeshCrypto
import MeshRuntime
import MeshWire

/// The client side of ICE against a lite server, enough for tests and the load generator:
/// a controlling agent with one candidate pair that nominates on every check
/// (RFC 8445 §7.2.2, §8.1.1) and keeps consent alive (RFC 7675 §5.1).
///
/// It writes Binding requests with USERNAME `remoteUfrag:localUfrag`, PRIORITY,
/// ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY under the remote password and
/// FINGERPRINT, and checks the responses. Not `Sendable`: one worker owns it.
public final class ICEControllingClient {
    /// Our credentials.
    public private(set) var local: ICECredentials
    /// The server's credentials (from its SDP answer).
    public private(set) var remote: ICECredentials
    /// The tie-breaker sent in ICE-CONTROLLING (RFC 8445 §7.1.3).
    public let tieBreaker: UInt64
    /// The PRIORITY sent: a peer-reflexive candidate's priority (RFC 8445 §7.1.1, §5.1.2.1).
    public let priority: UInt32
    /// When (monotonic ns) the last valid success response arrived; `nil` before the first.
    public private(set) var lastResponse: UInt64?
    /// The address the server saw us at, from the last success response's XOR-MAPPED-ADDRESS.
    public private(set) var mappedAddress: STUNTransportAddress?
    /// Whether a check has succeeded: the pair is valid and nominated.
    public var isConnected: Bool { lastResponse != nil }

    /// Outstanding transactions, a small ring: responses to older ones are ignored.
    private var outstanding: [STUNTransactionID?] = Array(repeating: nil, count: 8)
    private var nextSlot = 0
    private var key: STUNIntegrityKey

    /// A client with `local` credentials checking a server whose credentials are `remote`.
    public init(
        local: ICECredentials, remote: ICECredentials,
        priority: UInt32 = (110 << 24) | (65535 << 8) | 255,
        tieBreaker: UInt64 = UInt64.random(in: .min ... .max)
    ) {
        self.local = local
        self.remote = remote
        self.priority = priority
        self.tieBreaker = tieBreaker
        self.key = .shortTerm(password: remote.password)
    }

    /// Writes a Binding request into `buffer` and returns its length; the transaction is
    /// remembered so its response is accepted. `nominate` adds USE-CANDIDATE.
    public func writeBindingRequest(into buffer: UnsafeMutableRawBufferPointer, nominate: Bool = true) throws -> Int {
        let transactionID = STUNTransactionID.random()
        var builder = try STUNMessageBuilder(into: buffer, type: .bindingRequest, transactionID: transactionID)
        try builder.appendText(.username, "\(remote.ufrag):\(local.ufrag)")
        try builder.appendPriority(priority)
        try builder.appendICEControlling(tieBreaker: tieBreaker)
        if nominate { try builder.appendUseCandidate() }
        try builder.appendIntegrity(.hmacSHA1, key: key)
        try builder.appendFingerprint()
        outstanding[nextSlot] = transactionID
        nextSlot = (nextSlot + 1) % outstanding.count
        return builder.count
    }

    /// Checks a response from the server: one of our transactions, valid FINGERPRINT and
    /// MESSAGE-INTEGRITY under the remote password (RFC 8445 §7.2.5.2, RFC 8489 §9.1.4).
    public func handleResponse(_ message: STUNMessage, now: UInt64) -> ICEClientResponseOutcome {
        guard message.type == .bindingSuccess || message.type == .bindingError else {
            return .ignore(reason: "not a Binding response")
        }
        guard let slot = outstanding.firstIndex(of: message.transactionID) else {
            return .ignore(reason: "unknown transaction (RFC 8489 §6.3.3)")
        }
        guard message.fingerprintIsValid == true else { return .ignore(reason: "missing or wrong FINGERPRINT") }
        if message.type == .bindingError {
            outstanding[slot] = nil
            // Error responses to unauthenticated requests carry no integrity (RFC 8489 §9.1.3).
            let code = (try? message.errorCode)?.code ?? 0
            return .failed(code: code)
        }
        guard (try? message.verifyIntegrity(.hmacSHA1, key: key)) == true else {
            return .ignore(reason: "MESSAGE-INTEGRITY does not verify (RFC 8489 §9.1.4)")
        }
        outstanding[slot] = nil
        let mapped = try? message.xorAddress()
        mappedAddress = mapped ?? mappedAddress
        lastResponse = now
        return .succeeded(mappedAddress: mapped)
    }

    /// Answers the server's own Binding request (RFC 8445 §7.3: a full agent responds to every
    /// valid check, and a lite peer built on libnice, such as Janus, sends triggered checks and
    /// completes its side of ICE only on our response). Valid means FINGERPRINT, USERNAME
    /// `localUfrag:remoteUfrag` and MESSAGE-INTEGRITY under our password (RFC 8489 §9.1.3).
    /// Writes a success response with `from` in XOR-MAPPED-ADDRESS and returns its length;
    /// `nil` for anything else (not answered).
    public func writeResponse(
        to request: STUNMessage, from: SocketAddress, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int? {
        guard request.type == .bindingRequest, request.fingerprintIsValid == true,
            let username = try? request.text(.username),
            username.elementsEqual("\(local.ufrag):\(remote.ufrag)".utf8)
        else { return nil }
        let localKey = STUNIntegrityKey.shortTerm(password: local.password)
        guard (try? request.verifyIntegrity(.hmacSHA1, key: localKey)) == true,
            let mapped = STUNTransportAddress(from)
        else { return nil }
        return try? ICEBindingResponse.success(to: request, mapped: mapped, key: localKey, into: buffer)
    }

    /// Whether no success response arrived for `timeout` (RFC 7675 §5.1: 30 s); `false`
    /// before the first one.
    public func isConsentExpired(now: UInt64, timeout: UInt64 = 30_000_000_000) -> Bool {
        guard let lastResponse else { return false }
        return now >= lastResponse && now - lastResponse >= timeout
    }

    /// Switches to new credentials after an ICE restart (RFC 8445 §9); consent carries over.
    public func restart(local: ICECredentials, remote: ICECredentials) {
        self.local = local
        self.remote = remote
        key = .shortTerm(password: remote.password)
        for index in outstanding.indices { outstanding[index] = nil }
    }
}

/// What ``ICEControllingClient/handleResponse(_:now:)`` made of a response.
public enum ICEClientResponseOutcome: Sendable, Equatable {
    /// A valid success response; the server saw us at `mappedAddress`.
    case succeeded(mappedAddress: STUNTransportAddress?)
    /// An error response with this STUN error code (0 when it carried none).
    case failed(code: Int)
    /// Not a response to us, or not authentic; `reason` is a static string.
    case ignore(reason: String)
}

@available(*, unavailable, message: "an ICE client belongs to one worker")
extension ICEControllingClient: Sendable {}
