import MeshCrypto
import MeshTURN
import MeshWire

// A TURN server with a fixed nonce key, a hand-driven clock and a client that builds requests
// the way RFC 8656 §7–§12 describe them. Every request goes to the server as bytes.

/// A server's answer, copied out of the borrowed buffers so tests can compare it.
enum Answer: Equatable {
    case reply([UInt8])
    case relay(peer: STUNTransportAddress, relayed: STUNTransportAddress, payload: [UInt8])
    case drop(TURNDropReason)

    var bytes: [UInt8]? {
        if case let .reply(bytes) = self { return bytes }
        return nil
    }
}

/// What a response says, read once.
struct Response {
    let type: STUNMessageType
    let transactionID: STUNTransactionID
    let errorCode: Int?
    let reason: String?
    let realm: String?
    let nonce: [UInt8]?
    let relayed: STUNTransportAddress?
    let mapped: STUNTransportAddress?
    let lifetime: UInt32?
    let reservationToken: UInt64?
    let unknownAttributes: [STUNAttributeType]
    let addressErrorCode: Int?
    let hasIntegrity: Bool
    let hasFingerprint: Bool
    let integrityValid: Bool
}

/// Tests' fixed values: Unix time 1 733 400 000 s (2024-12-05), a secret and a nonce key.
enum Fixture {
    static let start = TURNInstant(seconds: 1_733_400_000)
    static let secret = TURNSecret("north")
    static let nonceKey = [UInt8](repeating: 0x42, count: 32)
    static let client = STUNTransportAddress(ip: .v4(0xC633_6407), port: 40000)  // 198.51.100.7
    static let relayIP = STUNIPAddress.v4(0xCB00_7101)  // 203.0.113.1
    static let media = STUNTransportAddress(ip: .v4(0xCB00_7101), port: 5000)
    static let peer = STUNTransportAddress(ip: .v4(0x0808_0808), port: 9000)  // 8.8.8.8
}

struct Harness {
    var server: TURNServer
    var now = Fixture.start
    var client = Fixture.client
    var username: String
    var password: String
    var nonce: [UInt8] = []
    let nonces = TURNNonceIssuer(key: Fixture.nonceKey)
    var output = [UInt8](repeating: 0, count: 70000)

    init(
        policy: TURNPeerPolicy = .selfOnly([Fixture.media]), configuration: TURNServerConfiguration = .init(),
        secrets: [TURNSecret] = [Fixture.secret], ports: ClosedRange<UInt16> = 50000...50009,
        ipv6: STUNIPAddress? = nil, id: String = "alice"
    ) throws {
        server = TURNServer(
            configuration: configuration, secrets: secrets, nonces: TURNNonceIssuer(key: Fixture.nonceKey),
            policy: policy, relayPorts: TURNRelayPorts(ipv4: Fixture.relayIP, ipv6: ipv6, range: ports))
        let credential = try TURNRESTCredential(
            secret: secrets[0], id: id, expiry: Fixture.start.adding(seconds: 86400))
        username = credential.username
        password = credential.password
        nonce = nonces.issue(for: client, now: now)
    }

    /// Hands `bytes` to the server as a datagram from the client.
    mutating func send(
        _ bytes: [UInt8], from source: STUNTransportAddress? = nil, transport: TURNClientTransport = .udp
    )
        -> Answer
    {
        let from = source ?? client
        let now = now
        return bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { output in
                switch server.receive(input, from: from, transport: transport, now: now, into: output) {
                case let .reply(count): .reply(Array(output[..<count]))
                case let .relay(peer, relayed, payload): .relay(peer: peer, relayed: relayed, payload: Array(payload))
                case let .drop(reason): .drop(reason)
                }
            }
        }
    }

    /// Hands `payload` to the server as a datagram from `peer` to `relayed`.
    mutating func fromPeer(_ peer: STUNTransportAddress, to relayed: STUNTransportAddress, _ payload: [UInt8])
        -> (TURNPeerOutput, [UInt8])
    {
        let now = now
        return payload.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { output in
                let result = server.receive(fromPeer: peer, at: relayed, payload: input, now: now, into: output)
                if case let .deliver(_, count) = result { return (result, Array(output[..<count])) }
                return (result, [])
            }
        }
    }

    /// A request of `method`, signed with the harness's credential unless `sign` is false.
    func request(
        _ method: STUNMethod, transactionID: STUNTransactionID = .random(), sign: Bool = true,
        username: String? = nil, password: String? = nil, realm: String = "meshcast", nonce: [UInt8]? = nil,
        fingerprint: Bool = false, _ body: (inout STUNMessageBuilder) throws -> Void = { _ in }
    ) throws -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: 1500)
        let count = try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: method, messageClass: .request),
                transactionID: transactionID)
            try body(&builder)
            if sign {
                let name = username ?? self.username
                try builder.appendText(.username, name)
                try builder.appendText(.realm, realm)
                try (nonce ?? self.nonce).withUnsafeBytes { try builder.appendText(.nonce, $0) }
                let key = try STUNIntegrityKey.longTerm(
                    username: name, realm: realm, password: password ?? self.password)
                try builder.appendIntegrity(.hmacSHA1, key: key)
            }
            if fingerprint { try builder.appendFingerprint() }
            return builder.count
        }
        return Array(storage[..<count])
    }

    /// An indication of `method` (Send), never signed (RFC 8656 §10.1).
    func indication(_ method: STUNMethod, _ body: (inout STUNMessageBuilder) throws -> Void) throws -> [UInt8] {
        var storage = [UInt8](repeating: 0, count: 1500)
        let count = try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: method, messageClass: .indication),
                transactionID: .random())
            try body(&builder)
            return builder.count
        }
        return Array(storage[..<count])
    }

    /// An Allocate for UDP that succeeds; returns the relayed address.
    mutating func allocate(_ body: (inout STUNMessageBuilder) throws -> Void = { _ in }) throws -> STUNTransportAddress?
    {
        let answer = send(
            try request(.allocate) { builder in
                try builder.appendRequestedTransport()
                try body(&builder)
            })
        guard let bytes = answer.bytes else { return nil }
        return try parse(bytes).relayed
    }

    /// Reads a response, checking its MESSAGE-INTEGRITY against the harness's key.
    func parse(_ bytes: [UInt8]) throws -> Response {
        let key = try STUNIntegrityKey.longTerm(username: username, realm: "meshcast", password: password)
        return try bytes.withUnsafeBytes { raw in
            let message = try STUNMessage(parsing: raw)
            let error = try message.errorCode
            return Response(
                type: message.type, transactionID: message.transactionID, errorCode: error?.code,
                reason: error?.reason, realm: try message.string(.realm),
                nonce: try message.text(.nonce).map(Array.init),
                relayed: try message.xorAddress(.xorRelayedAddress), mapped: try message.xorAddress(),
                lifetime: try message.turn.lifetime, reservationToken: try message.turn.reservationToken,
                unknownAttributes: try message.unknownAttributes.map { Array($0) } ?? [],
                addressErrorCode: try message.turn.addressErrorCode?.code,
                hasIntegrity: message.messageIntegrityOffset != nil, hasFingerprint: message.fingerprintOffset != nil,
                integrityValid: try message.verifyIntegrity(.hmacSHA1, key: key))
        }
    }

    /// The error code of the answer to `bytes`, or `nil` for a success.
    mutating func errorCode(of bytes: [UInt8]) throws -> Int? {
        let answer = send(bytes)
        guard let reply = answer.bytes else { throw HarnessError.noReply(answer) }
        return try parse(reply).errorCode
    }
}

enum HarnessError: Error { case noReply(Answer) }
