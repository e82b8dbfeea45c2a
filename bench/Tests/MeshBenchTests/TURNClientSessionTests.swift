import MeshCrypto
import MeshTURN
import MeshWire
import Testing

@testable import MeshBench

/// meshbench's TURN client (``TURNClientSession``) against the project's TURN server
/// (MeshTURN's ``TURNServer``, the node's own state machine, not a mock), every message
/// going as bytes: the 401 challenge and the signed Allocate (RFC 8489 §9.2), ChannelBind to
/// the node's media address (RFC 8656 §11), ChannelData both ways (§12.4), refreshes before
/// the channel's permission (300 s, §9) and the allocation run out, a stale nonce (438), UDP
/// retransmissions (RFC 8489 §6.2.1) and deleting the allocation (Refresh 0, §7.3).
@Suite struct TURNClientSessionTests {
    static let start: Int64 = 1_733_400_000
    static let secret = TURNSecret("bench")
    static let client = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40_000)
    static let media = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 5000)
    static let relayIP = STUNIPAddress.v4(0x7F00_0001)

    /// A server, a client session and the clock (seconds since ``start``) they share.
    final class Pair {
        var server: TURNServer
        var session: TURNClientSession
        var seconds: Int64 = 0
        let clientBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        let serverBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        /// Requests the client wrote and the server answered, by method.
        var answered: [String] = []

        init(password: String? = nil, reliable: Bool = false) throws {
            server = TURNServer(
                secrets: [TURNClientSessionTests.secret],
                nonces: TURNNonceIssuer(key: [UInt8](repeating: 7, count: 32)),
                policy: .selfOnly([TURNClientSessionTests.media]),
                relayPorts: TURNRelayPorts(ipv4: TURNClientSessionTests.relayIP, range: 50_000...50_009))
            let credential = try TURNRESTCredential(
                secret: TURNClientSessionTests.secret, id: "viewer-1",
                expiry: TURNInstant(seconds: TURNClientSessionTests.start + 86_400))
            session = TURNClientSession(
                username: credential.username, password: password ?? credential.password,
                peer: TURNClientSessionTests.media, reliable: reliable)
        }

        deinit {
            clientBuffer.deallocate()
            serverBuffer.deallocate()
        }

        var nanoseconds: UInt64 { UInt64(seconds) * 1_000_000_000 }
        var instant: TURNInstant { TURNInstant(seconds: TURNClientSessionTests.start + seconds) }

        /// The client's request (its first `length` bytes) to the server, the answer back to
        /// the client, and so on until the client has nothing more to send.
        func exchange(_ length: Int) throws {
            var length = length
            while length > 0 {
                let request = UnsafeRawBufferPointer(rebasing: clientBuffer[..<length])
                let output = server.receive(
                    request, from: TURNClientSessionTests.client, now: instant, into: serverBuffer)
                guard case .reply(let count) = output else {
                    Issue.record("the server did not answer: \(output)")
                    return
                }
                let message = try STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: serverBuffer[..<count]))
                let code = (try? message.errorCode)?.code ?? 200
                answered.append("\(TURNClientSession.name(message.type.method)) \(code)")
                length = session.handle(message, now: nanoseconds, into: clientBuffer)
            }
        }

        func start() throws {
            try exchange(session.start(now: nanoseconds, into: clientBuffer))
        }

        func poll() throws {
            try exchange(session.poll(now: nanoseconds, into: clientBuffer))
        }
    }

    @Test func allocatesBindsTheChannelAndCarriesChannelDataBothWays() throws {
        let pair = try Pair()
        try pair.start()
        #expect(pair.answered == ["Allocate 401", "Allocate 200", "ChannelBind 200"])
        #expect(pair.session.state == .ready)
        let relayed = try #require(pair.session.relayed)
        #expect(relayed.ip == Self.relayIP)

        // Client to node: a 5-byte payload as ChannelData on 0x4000 reaches the node's media port.
        var frame = [UInt8](repeating: 0, count: 64)
        let payload: [UInt8] = [0x80, 1, 2, 3, 4]
        let length = try frame.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            try payload.withUnsafeBytes {
                try TURNChannelData.write(
                    channelNumber: TURNClientSession.channel, payload: $0, padToFourBytes: true, into: &writer)
            }
            return writer.offset
        }
        #expect(length == 12, "4-byte header, 5 bytes, 3 of padding (RFC 8656 §12.5)")
        let now = pair.instant
        let toPeer: (STUNTransportAddress?, [UInt8]) = Array(frame[..<length]).withUnsafeBytes { bytes in
            guard
                case .relay(let peer, _, let relayedPayload) = pair.server.receive(
                    bytes, from: Self.client, now: now, into: pair.serverBuffer)
            else { return (STUNTransportAddress?.none, [UInt8]()) }
            return (peer, Array(relayedPayload))
        }
        #expect(toPeer.0 == Self.media && toPeer.1 == payload)

        // Node to client: what the media port sends the relayed address comes back on the channel.
        let back: [UInt8] = [0x16, 0xFE, 0xFD]
        let output = back.withUnsafeBytes { bytes in
            pair.server.receive(fromPeer: Self.media, at: relayed, payload: bytes, now: now, into: pair.serverBuffer)
        }
        guard case .deliver(_, let count) = output else {
            Issue.record("not delivered: \(output)")
            return
        }
        let data = try TURNChannelData(parsing: UnsafeRawBufferPointer(rebasing: pair.serverBuffer[..<count]))
        let delivered = (data.channelNumber, Array(data.payload))
        #expect(delivered.0 == TURNClientSession.channel && delivered.1 == back)
    }

    @Test func refreshesTheChannelAndTheAllocationAndRetriesAStaleNonce() throws {
        let pair = try Pair()
        try pair.start()
        pair.answered = []
        pair.seconds = 239
        try pair.poll()
        #expect(pair.answered.isEmpty, "nothing due before 240 s")
        // 240 s: the nonce (600 s) is still fresh; the channel (and its permission) is refreshed.
        pair.seconds = 240
        try pair.poll()
        #expect(pair.answered == ["ChannelBind 200"])
        // 540 s: the allocation (600 s) a minute before its end.
        pair.seconds = 540
        try pair.poll()
        #expect(pair.answered == ["ChannelBind 200", "Refresh 200"])
        // 780 s: the nonce issued at 0 is stale: 438 with a new one, then the same request again.
        pair.seconds = 780
        try pair.poll()
        #expect(pair.answered == ["ChannelBind 200", "Refresh 200", "ChannelBind 438", "ChannelBind 200"])
        #expect(pair.session.state == .ready)
        #expect(pair.session.refreshes == 3)
    }

    @Test func deletingTheAllocationFreesItOnTheServer() throws {
        let pair = try Pair()
        try pair.start()
        #expect(pair.server.allocationSummaries().count == 1)
        try pair.exchange(pair.session.delete(into: pair.clientBuffer))
        #expect(pair.answered.last == "Refresh 200")
        #expect(pair.server.allocationSummaries().isEmpty)
    }

    @Test func aWrongPasswordFailsWithTheServersCode() throws {
        let pair = try Pair(password: "not-the-password")
        try pair.start()
        #expect(pair.answered == ["Allocate 401", "Allocate 401"])
        guard case .failed(let reason) = pair.session.state else {
            Issue.record("not failed: \(pair.session.state)")
            return
        }
        #expect(reason.hasPrefix("Allocate answered 401"))
    }

    @Test func retransmitsOverUDPWithTheSameTransactionAndGivesUp() throws {
        var session = TURNClientSession(username: "u", password: "p", peer: Self.media, reliable: false)
        var buffer = [UInt8](repeating: 0, count: 1500)
        let first = buffer.withUnsafeMutableBytes { session.start(now: 0, into: $0) }
        let firstBytes = Array(buffer[..<first])
        #expect(buffer.withUnsafeMutableBytes { session.poll(now: 499_000_000, into: $0) } == 0)
        let again = buffer.withUnsafeMutableBytes { session.poll(now: 500_000_000, into: $0) }
        #expect(Array(buffer[..<again]) == firstBytes, "a retransmission is the same message (RFC 8489 §6.2.1)")
        // Then 1 s, 2 s, 4 s, 8 s, 16 s later: seven sends in all, then the session fails.
        var now: UInt64 = 500_000_000
        var sends = 2
        for step in [1, 2, 4, 8, 16] as [UInt64] {
            now += step * 1_000_000_000
            if buffer.withUnsafeMutableBytes({ session.poll(now: now, into: $0) }) > 0 { sends += 1 }
        }
        #expect(sends == 7)
        now += 64 * 1_000_000_000
        #expect(buffer.withUnsafeMutableBytes { session.poll(now: now, into: $0) } == 0)
        #expect(session.state == .failed("no answer to Allocate after 7 sends"))

        var reliable = TURNClientSession(username: "u", password: "p", peer: Self.media, reliable: true)
        _ = buffer.withUnsafeMutableBytes { reliable.start(now: 0, into: $0) }
        #expect(buffer.withUnsafeMutableBytes { reliable.poll(now: 60_000_000_000, into: $0) } == 0, "TCP: no resend")
    }
}
