import MeshTURN
import MeshWire
import Testing

/// CreatePermission (RFC 8656 §9), ChannelBind (§11), Send and Data indications (§10) and
/// ChannelData (§12) through the server, with the peer policy and bandwidth cap.
@Suite struct TURNRelayTests {
    static let openLoopback = TURNPeerPolicy.open(OpenRelayRules())

    static func permission(_ harness: Harness, _ peers: [STUNTransportAddress]) throws -> [UInt8] {
        try harness.request(.createPermission) { builder in
            for peer in peers { try builder.appendXORAddress(peer, as: .xorPeerAddress) }
        }
    }

    static func bind(_ harness: Harness, _ number: UInt16, _ peer: STUNTransportAddress) throws -> [UInt8] {
        try harness.request(.channelBind) { builder in
            // Written raw: the builder's own writer refuses numbers outside the range.
            try builder.append(.channelNumber, length: 4) { writer throws(ByteWriter.Overflow) in
                try writer.write(UInt32(number) << 16)
            }
            try builder.appendXORAddress(peer, as: .xorPeerAddress)
        }
    }

    static func send(_ harness: Harness, to peer: STUNTransportAddress, _ payload: [UInt8]) throws -> [UInt8] {
        try harness.indication(.send) { builder in
            try builder.appendXORAddress(peer, as: .xorPeerAddress)
            try payload.withUnsafeBytes { try builder.appendData($0) }
        }
    }

    /// Without an allocation every request is 437 and every indication dropped.
    @Test func nothingWithoutAllocation() throws {
        var harness = try Harness()
        #expect(try harness.errorCode(of: try Self.permission(harness, [Fixture.media])) == 437)
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, Fixture.media)) == 437)
        #expect(harness.send(try Self.send(harness, to: Fixture.media, [1])) == .drop(.noAllocation))
        #expect(harness.send([0x40, 0x00, 0x00, 0x01, 0xAA]) == .drop(.noAllocation))
    }

    /// Self-only: a permission for the node's media IP is granted; for any other peer 403,
    /// and nothing of the request is installed (RFC 8656 §9.2: all or nothing).
    @Test func selfOnlyPermissions() throws {
        var harness = try Harness()
        let relayed = try #require(try harness.allocate())
        #expect(try harness.errorCode(of: try Self.permission(harness, [Fixture.media])) == nil)
        #expect(try harness.errorCode(of: try Self.permission(harness, [Fixture.media, Fixture.peer])) == 403)
        #expect(harness.fromPeer(Fixture.peer, to: relayed, [1]).0 == .drop(.noPermission))
        #expect(try harness.errorCode(of: try Self.permission(harness, [])) == 400)
        let v6 = STUNTransportAddress(ip: .v6(high: 0x2001_0DB8_0000_0000, low: 1), port: 1)
        #expect(try harness.errorCode(of: try Self.permission(harness, [v6])) == 443)
    }

    /// Open mode refuses every denied range in every encoding, for CreatePermission and
    /// ChannelBind alike (issue 13's deny-list test).
    @Test(arguments: [
        "0.0.0.0", "::", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "10.1.1.1",
    ])
    func openModeDeniesLoopbackEncodings(text: String) throws {
        let ip = try #require(IPAddressText.parse(text))
        var harness = try Harness(policy: Self.openLoopback, ipv6: .v6(high: 0x2001_0DB8_0000_0000, low: 1))
        _ = try #require(try harness.allocate { try $0.appendRequestedAddressFamily(ip.family) })
        let peer = STUNTransportAddress(ip: ip, port: 7)
        #expect(try harness.errorCode(of: try Self.permission(harness, [peer])) == 403)
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, peer)) == 403)
    }

    /// Open mode relays both ways: Send → relay, peer → Data indication with XOR-PEER-ADDRESS.
    @Test func sendAndDataIndications() throws {
        var harness = try Harness(policy: Self.openLoopback)
        let relayed = try #require(try harness.allocate())
        let payload: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x01]
        #expect(harness.send(try Self.send(harness, to: Fixture.peer, payload)) == .drop(.noPermission))
        #expect(try harness.errorCode(of: try Self.permission(harness, [Fixture.peer])) == nil)
        #expect(
            harness.send(try Self.send(harness, to: Fixture.peer, payload))
                == .relay(peer: Fixture.peer, relayed: relayed, payload: payload))
        // The permission is per IP: another port of the same peer is relayed to as well.
        var otherPort = Fixture.peer
        otherPort.port += 1
        #expect(harness.send(try Self.send(harness, to: otherPort, payload)) != .drop(.noPermission))
        let (result, bytes) = harness.fromPeer(Fixture.peer, to: relayed, payload)
        #expect(result == .deliver(to: TURNFiveTuple(client: Fixture.client, transport: .udp), count: bytes.count))
        try withMessageBytes(bytes) { message throws in
            #expect(message.type == STUNMessageType(method: .data, messageClass: .indication))
            #expect(try message.xorAddress(.xorPeerAddress) == Fixture.peer)
            #expect(message.turn.data.map(Array.init) == payload)
        }
        // A Send without DATA, or with DONT-FRAGMENT the relay cannot honour: discarded.
        let noData = try harness.indication(.send) { try $0.appendXORAddress(Fixture.peer, as: .xorPeerAddress) }
        #expect(harness.send(noData) == .drop(.badIndication))
    }

    /// Permissions expire after 300 s unless refreshed (RFC 8656 §9).
    @Test func permissionsExpire() throws {
        var harness = try Harness(policy: Self.openLoopback)
        let relayed = try #require(try harness.allocate())
        #expect(try harness.errorCode(of: try Self.permission(harness, [Fixture.peer])) == nil)
        harness.now = harness.now.adding(seconds: 299)
        #expect(harness.fromPeer(Fixture.peer, to: relayed, [1]).0 != .drop(.noPermission))
        harness.now = harness.now.adding(seconds: 1)
        #expect(harness.fromPeer(Fixture.peer, to: relayed, [1]).0 == .drop(.noPermission))
        harness.server.expire(now: harness.now)
        #expect(harness.send(try Self.send(harness, to: Fixture.peer, [1])) == .drop(.noPermission))
    }

    /// ChannelBind: numbers outside 0x4000...0x4FFF are 400; a bound channel relays
    /// ChannelData both ways; a channel cannot move to another peer nor a peer to another
    /// channel, while refreshing the same pair is fine (RFC 8656 §11.2).
    @Test func channels() throws {
        var harness = try Harness(policy: Self.openLoopback)
        let relayed = try #require(try harness.allocate())
        for number: UInt16 in [0x0000, 0x3FFF, 0x5000, 0xFFFF] {
            #expect(try harness.errorCode(of: try Self.bind(harness, number, Fixture.peer)) == 400)
        }
        #expect(
            try harness.errorCode(of: try harness.request(.channelBind) { try $0.appendChannelNumber(0x4000) }) == 400)
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, Fixture.peer)) == nil)
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, Fixture.peer)) == nil)
        var other = Fixture.peer
        other.port += 1
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, other)) == 400)
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4001, Fixture.peer)) == 400)
        // ChannelData 0x4000, length 3, then one byte of padding, which UDP may carry.
        let frame: [UInt8] = [0x40, 0x00, 0x00, 0x03, 0x0A, 0x0B, 0x0C, 0x00]
        #expect(harness.send(frame) == .relay(peer: Fixture.peer, relayed: relayed, payload: [0x0A, 0x0B, 0x0C]))
        #expect(harness.send([0x40, 0x01, 0x00, 0x01, 0x0A]) == .drop(.noChannel))
        #expect(harness.send([0x40, 0x00, 0x00, 0x09, 0x0A]) == .drop(.malformed))
        // The peer's answer comes back as ChannelData; over a stream it is padded to 4 bytes.
        #expect(harness.fromPeer(Fixture.peer, to: relayed, [1, 2, 3]).1 == [0x40, 0x00, 0x00, 0x03, 1, 2, 3])
        // The binding installed a permission, so a Send to the same IP is relayed too.
        #expect(
            harness.send(try Self.send(harness, to: other, [9])) == .relay(peer: other, relayed: relayed, payload: [9]))
        // Channels expire after 600 s.
        harness.now = harness.now.adding(seconds: 600)
        #expect(harness.send(frame) == .drop(.noChannel))
    }

    /// ChannelData to a stream client is padded (RFC 8656 §12.5), and the framer cuts a stream
    /// of a padded ChannelData frame followed by a STUN message.
    @Test func streamFramingAndPadding() throws {
        var harness = try Harness(policy: Self.openLoopback)
        let request = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        #expect(harness.send(request, transport: .tcp).bytes != nil)
        let bind = try Self.bind(harness, 0x4ABC, Fixture.peer)
        #expect(harness.send(bind, transport: .tcp).bytes != nil)
        let relayed = try #require(
            harness.server.relayedAddress(of: TURNFiveTuple(client: Fixture.client, transport: .tcp)))
        #expect(harness.fromPeer(Fixture.peer, to: relayed, [7]).1 == [0x4A, 0xBC, 0x00, 0x01, 7, 0, 0, 0])
        let stream: [UInt8] = [0x4A, 0xBC, 0x00, 0x01, 7, 0, 0, 0] + bind
        try stream.withUnsafeBytes { raw in
            let first = try #require(try TURNStreamFramer.frame(in: raw))
            #expect(Array(first.frame) == [0x4A, 0xBC, 0x00, 0x01, 7])
            #expect(first.consumed == 8)
            let rest = UnsafeRawBufferPointer(rebasing: raw[first.consumed...])
            let second = try #require(try TURNStreamFramer.frame(in: rest))
            #expect(Array(second.frame) == bind)
            #expect(try TURNStreamFramer.frame(in: UnsafeRawBufferPointer(rebasing: rest[..<10])) == nil)
        }
        let notTURN: [UInt8] = [0xC0, 0, 0, 0]
        let failure = notTURN.withUnsafeBytes { raw -> TURNStreamFramer.Failure? in
            do throws(TURNStreamFramer.Failure) {
                _ = try TURNStreamFramer.frame(in: raw)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure == .notTURN)
    }

    /// The bandwidth cap drops what exceeds the burst, then refills with time.
    @Test func bandwidthCap() throws {
        var configuration = TURNServerConfiguration()
        configuration.bandwidthBytesPerSecond = 1000
        configuration.bandwidthBurstBytes = 1000
        var harness = try Harness(policy: Self.openLoopback, configuration: configuration)
        _ = try #require(try harness.allocate())
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, Fixture.peer)) == nil)
        let frame: [UInt8] = [0x40, 0x00, 0x01, 0xF4] + Array(repeating: 1, count: 500)
        #expect(harness.send(frame) != .drop(.overBandwidth))
        #expect(harness.send(frame) != .drop(.overBandwidth))
        #expect(harness.send(frame) == .drop(.overBandwidth))
        harness.now = harness.now.adding(milliseconds: 500)
        #expect(harness.send(frame) != .drop(.overBandwidth))
    }

    /// One session's allocation cannot reach another's relayed address through the self-only
    /// policy, and data to an unknown relayed address is dropped.
    @Test func unknownRelayedAddressIsDropped() throws {
        var harness = try Harness()
        _ = try #require(try harness.allocate())
        let stranger = STUNTransportAddress(ip: Fixture.relayIP, port: 50005)
        #expect(harness.fromPeer(Fixture.media, to: stranger, [1]).0 == .drop(.noAllocation))
        #expect(try harness.errorCode(of: try Self.permission(harness, [stranger])) == nil)  // same IP as media
        #expect(try harness.errorCode(of: try Self.bind(harness, 0x4000, stranger)) == 403)  // but not its port
    }
}

/// Parses `bytes` and hands the view to `body` while they are pinned.
func withMessageBytes(_ bytes: [UInt8], _ body: (STUNMessage) throws -> Void) throws {
    try bytes.withUnsafeBytes { raw in try body(try STUNMessage(parsing: raw)) }
}
