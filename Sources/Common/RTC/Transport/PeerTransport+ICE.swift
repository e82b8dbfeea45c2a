import MeshRuntime
import MeshWire

extension PeerTransport {
    /// Largest STUN response the agent writes; a success response is under 100 bytes.
    static let stunResponseCapacity = 256

    /// Hands a parsed STUN message to the ICE side and sends what it answers.
    func handleParsedSTUN(_ message: STUNMessage, from: SocketAddress, now: UInt64, send: Send) -> PeerInbound {
        switch ice {
        case .controlled(let agent):
            if message.type == .bindingIndication { return .none }  // keepalive (RFC 8445 §11)
            return withUnsafeTemporaryAllocation(byteCount: Self.stunResponseCapacity, alignment: 8) { response in
                switch agent.handleBindingRequest(message, from: from, now: now, response: response) {
                case .respond(let length, let nominated, let addressChanged):
                    send(UnsafeRawBufferPointer(rebasing: response[..<length]), from)
                    startHandshakeIfReady(send: send)
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
                startHandshakeIfReady(send: send)
                return .binding(nominated: true, addressChanged: !wasConnected)
            case .failed:
                return .dropped(.bindingFailed)
            case .ignore:
                return .dropped(.unexpectedSTUN)
            }
        }
    }

    /// Client: writes and sends one Binding request to the server.
    func sendCheck(_ client: ICEControllingClient, to server: SocketAddress, send: Send) {
        withUnsafeTemporaryAllocation(byteCount: Self.stunResponseCapacity, alignment: 8) { buffer in
            guard let length = try? client.writeBindingRequest(into: buffer) else { return }
            send(UnsafeRawBufferPointer(rebasing: buffer[..<length]), server)
        }
    }
}
