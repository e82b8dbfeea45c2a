import Logging
import MeshCascade
import MeshCrypto
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization
import Testing

/// `TURNRelay` over UDP on an embedded loop and network: the listener answers, an allocation opens a
/// relayed socket on its port, a Send goes out of that socket to the peer, the peer's answer
/// comes back as a Data indication, and Refresh 0 closes the relayed socket (RFC 8656 §7–§10).
@Suite struct TURNUDPRelayTests {
    static let now = TURNInstant(seconds: 1_733_400_000)
    static let secret = TURNSecret("relay-test")

    /// Datagrams a test socket received, copied.
    final class Inbox: Sendable {
        let datagrams = Mutex<[(bytes: [UInt8], from: SocketAddress)]>([])
        func take() -> [(bytes: [UInt8], from: SocketAddress)] {
            datagrams.withLock { received in
                defer { received.removeAll() }
                return received
            }
        }
    }

    static func listen(_ socket: EmbeddedDatagramSocket) throws -> Inbox {
        let inbox = Inbox()
        try socket.startReceiving(
            { bytes, from in inbox.datagrams.withLock { $0.append((Array(bytes), from)) } }, batchEnded: nil)
        return inbox
    }

    static func request(
        _ method: STUNMethod, client: SocketAddress, _ body: (inout STUNMessageBuilder) throws -> Void
    ) throws -> [UInt8] {
        let credential = try TURNRESTCredential(secret: secret, id: "relay", expiry: now.adding(seconds: 3600))
        let nonce = TURNNonceIssuer(key: [UInt8](repeating: 9, count: 32))
            .issue(for: try #require(STUNTransportAddress(client)), now: now)
        var storage = [UInt8](repeating: 0, count: 600)
        let count = try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: method, messageClass: .request), transactionID: .random())
            try body(&builder)
            try builder.appendText(.username, credential.username)
            try builder.appendText(.realm, "meshcast")
            try nonce.withUnsafeBytes { try builder.appendText(.nonce, $0) }
            try builder.appendIntegrity(
                .hmacSHA1,
                key: .longTerm(username: credential.username, realm: "meshcast", password: credential.password))
            return builder.count
        }
        return Array(storage[..<count])
    }

    static func errorCode(_ bytes: [UInt8]) throws -> Int? {
        try bytes.withUnsafeBytes { raw in try STUNMessage(parsing: raw).errorCode?.code }
    }

    @Test func relaysBothWaysAndClosesTheRelayedSocket() async throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let server = TURNServer(
            secrets: [Self.secret], nonces: TURNNonceIssuer(key: [UInt8](repeating: 9, count: 32)),
            policy: .open(OpenRelayRules()),
            relayPorts: TURNRelayPorts(ipv4: .v4(0x0A00_0001), range: 50000...50001))
        let listen = SocketAddress(ipv4: 0x0A00_0001, port: 3478)
        let relay = try await loop.run {
            let relay = TURNRelay(
                loop: loop, server: server, listen: listen, relayBindHost: nil, logger: Logger(label: "turn-test"),
                clock: { Self.now })
            try relay.start()
            return relay
        }
        let clientSocket = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: 0xC000_0205, port: 40000))
        let peerSocket = try runtime.network.openSocket(bindingTo: SocketAddress(ipv4: 0x0808_0808, port: 9000))
        let client = try Self.listen(clientSocket)
        let peer = try Self.listen(peerSocket)
        let peerAddress = STUNTransportAddress(ip: .v4(0x0808_0808), port: 9000)
        func send(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { _ = try clientSocket.send($0, to: listen) }
            try runtime.runUntilIdle()
        }

        try send(try Self.request(.allocate, client: clientSocket.localAddress) { try $0.appendRequestedTransport() })
        let allocated = try #require(client.take().first)
        #expect(allocated.from == listen)
        #expect(try Self.errorCode(allocated.bytes) == nil)
        let relayed = SocketAddress(ipv4: 0x0A00_0001, port: 50000)
        #expect(try await loop.run { relay.allocationCount } == 1)

        try send(
            try Self.request(.createPermission, client: clientSocket.localAddress) {
                try $0.appendXORAddress(peerAddress, as: .xorPeerAddress)
            })
        #expect(try Self.errorCode(try #require(client.take().first).bytes) == nil)

        var storage = [UInt8](repeating: 0, count: 200)
        let count = try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: .send, messageClass: .indication), transactionID: .random())
            try builder.appendXORAddress(peerAddress, as: .xorPeerAddress)
            try [UInt8]([1, 2, 3]).withUnsafeBytes { try builder.appendData($0) }
            return builder.count
        }
        try send(Array(storage[..<count]))
        let relayedOut = try #require(peer.take().first)
        #expect(relayedOut.bytes == [1, 2, 3])
        #expect(relayedOut.from == relayed)

        try [UInt8]([4, 5]).withUnsafeBytes { _ = try peerSocket.send($0, to: relayed) }
        try runtime.runUntilIdle()
        let data = try #require(client.take().first)
        try data.bytes.withUnsafeBytes { raw in
            let message = try STUNMessage(parsing: raw)
            #expect(message.type == STUNMessageType(method: .data, messageClass: .indication))
            #expect(try message.xorAddress(.xorPeerAddress) == peerAddress)
            #expect(message.turn.data.map(Array.init) == [4, 5])
        }

        try send(try Self.request(.refresh, client: clientSocket.localAddress) { try $0.appendLifetime(0) })
        #expect(try Self.errorCode(try #require(client.take().first).bytes) == nil)
        #expect(try await loop.run { relay.allocationCount } == 0)
        // The relayed socket is closed: the port can be bound again.
        _ = try runtime.network.openSocket(bindingTo: relayed)

        // A new allocation ends when the session its credential was minted for ("relay") ends.
        try send(try Self.request(.allocate, client: clientSocket.localAddress) { try $0.appendRequestedTransport() })
        #expect(try Self.errorCode(try #require(client.take().first).bytes) == nil)
        #expect(try await loop.run { relay.allocationCount } == 1)
        try await loop.run { relay.endSession("someone-else") }
        #expect(try await loop.run { relay.allocationCount } == 1)
        try await loop.run { relay.endSession("relay") }
        #expect(try await loop.run { relay.allocationCount } == 0)
        try await loop.run { relay.stop() }
    }
}
