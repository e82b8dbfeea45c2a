import MeshRuntime
import MeshWire

/// The ICE half of a ``PeerTransport``: the server's ``ICELiteAgent``, or the client's
/// ``ICEControllingClient`` with the server's one candidate.
///
/// It answers STUN, writes the client's checks, and says which address passed ICE; the
/// transport decides what follows (DTLS starts after a successful binding) and keeps the timers.
/// The agents are classes, so the transport holds this as a constant and the per-packet address
/// check reads it as it read the transport's own field before.
enum PeerICE {
    /// Server: answers checks.
    case controlled(ICELiteAgent)
    /// Client: sends checks to the server's one candidate.
    case controlling(ICEControllingClient, server: SocketAddress)

    /// Largest STUN response the agent writes; a success response is under 100 bytes.
    static let stunResponseCapacity = 256

    /// Where media goes: the server's selected address, or the client's server once a check
    /// succeeded.
    var remoteAddress: SocketAddress? {
        switch self {
        case .controlled(let agent): agent.selectedAddress
        case .controlling(let client, let server): client.isConnected ? server : nil
        }
    }

    /// Whether DTLS and media from `address` are accepted: it passed ICE.
    func isValidated(_ address: SocketAddress) -> Bool {
        switch self {
        case .controlled(let agent): agent.isValidated(address)
        case .controlling(let client, let server): client.isConnected && address == server
        }
    }

    /// When consent was last granted (RFC 7675): the last valid check (server), the last
    /// response (client).
    var lastConsent: UInt64? {
        switch self {
        case .controlled(let agent): agent.lastConsent
        case .controlling(let client, _): client.lastResponse
        }
    }

    /// Hands a parsed STUN message to the agent or the client and sends what it answers;
    /// `.binding` exactly when a check succeeded.
    func handle(
        _ message: STUNMessage, from: SocketAddress, now: UInt64, send: PeerTransport.Send
    ) -> PeerInbound {
        switch self {
        case .controlled(let agent):
            if message.type == .bindingIndication { return .none }  // keepalive (RFC 8445 §11)
            return withUnsafeTemporaryAllocation(byteCount: Self.stunResponseCapacity, alignment: 8) { response in
                switch agent.handleBindingRequest(message, from: from, now: now, response: response) {
                case .respond(let length, let nominated, let addressChanged):
                    send(UnsafeRawBufferPointer(rebasing: response[..<length]), from)
                    return .binding(nominated: nominated, addressChanged: addressChanged)
                case .respondError(let length, let rejection):
                    send(UnsafeRawBufferPointer(rebasing: response[..<length]), from)
                    return .dropped(PeerDropReason(rejection))
                case .ignore:
                    return .dropped(.unexpectedSTUN)
                }
            }
        case .controlling(let client, let server):
            guard from == server else { return .dropped(.unknownAddress) }
            if message.type == .bindingRequest {
                return withUnsafeTemporaryAllocation(byteCount: Self.stunResponseCapacity, alignment: 8) { response in
                    guard let length = client.writeResponse(to: message, from: from, into: response) else {
                        return .dropped(.unexpectedSTUN)
                    }
                    send(UnsafeRawBufferPointer(rebasing: response[..<length]), from)
                    return .none
                }
            }
            let wasConnected = client.isConnected
            switch client.handleResponse(message, now: now) {
            case .succeeded:
                return .binding(nominated: true, addressChanged: !wasConnected)
            case .failed:
                return .dropped(.bindingFailed)
            case .ignore:
                return .dropped(.unexpectedSTUN)
            }
        }
    }

    /// Client: writes and sends one Binding request to the server.
    static func sendCheck(_ client: ICEControllingClient, to server: SocketAddress, send: PeerTransport.Send) {
        withUnsafeTemporaryAllocation(byteCount: stunResponseCapacity, alignment: 8) { buffer in
            guard let length = try? client.writeBindingRequest(into: buffer) else { return }
            send(UnsafeRawBufferPointer(rebasing: buffer[..<length]), server)
        }
    }
}
