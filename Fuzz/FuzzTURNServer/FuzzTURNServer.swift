import FuzzDriver
import MeshCrypto
import MeshTURN
import MeshWire

// Drives the TURN server's request handling, not only the parser: each input is a script of
// datagrams (2-byte length, 1 control byte, bytes) sent to one long-lived server from a few
// client addresses, with the clock moved by the control byte, and some inputs first get a
// valid, signed Allocate, CreatePermission and ChannelBind so the relay paths are reachable.
// Properties: nothing traps; every reply is a STUN message that parses, is a response to a
// request and never larger than the output buffer; a relay is only ever to a permitted peer
// from the allocation's own relayed address; a 401/438 larger than its request is in its
// smallest form (no reason phrase, no FINGERPRINT).

nonisolated(unsafe) let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
let start = TURNInstant(seconds: 1_733_400_000)
let secret = TURNSecret("fuzz")
let nonces = TURNNonceIssuer(key: [UInt8](repeating: 7, count: 32))
let allowList = [IPPrefix("127.0.0.0/8")].compactMap { $0 }
let clients = [
    STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40000),
    STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40001),
    STUNTransportAddress(ip: .v6(high: 0x2001_0DB8_0000_0000, low: 5), port: 40002),
]

func makeServer() -> TURNServer {
    var configuration = TURNServerConfiguration()
    configuration.maxAllocationsPerNode = 4
    return TURNServer(
        configuration: configuration, secrets: [secret], nonces: nonces,
        policy: .open(OpenRelayRules(allow: allowList, deniedPorts: [8080])),
        relayPorts: TURNRelayPorts(ipv4: .v4(0x7F00_0001), ipv6: .v6(high: 0, low: 1), range: 50000...50007))
}

/// A signed request from `client` with `body`'s attributes.
func signed(
    _ method: STUNMethod, client: STUNTransportAddress, now: TURNInstant,
    _ body: (inout STUNMessageBuilder) throws -> Void
)
    throws -> [UInt8]
{
    let credential = try TURNRESTCredential(secret: secret, id: "fuzz", expiry: start.adding(seconds: 86400))
    var storage = [UInt8](repeating: 0, count: 512)
    let count = try storage.withUnsafeMutableBytes { buffer in
        var builder = try STUNMessageBuilder(
            into: buffer, type: STUNMessageType(method: method, messageClass: .request), transactionID: .random())
        try body(&builder)
        try builder.appendText(.username, credential.username)
        try builder.appendText(.realm, "meshcast")
        try nonces.issue(for: client, now: now).withUnsafeBytes { try builder.appendText(.nonce, $0) }
        try builder.appendIntegrity(
            .hmacSHA1,
            key: STUNIntegrityKey.longTerm(
                username: credential.username, realm: "meshcast", password: credential.password))
        return builder.count
    }
    return Array(storage[..<count])
}

func check(_ answer: TURNServerOutput, request: UnsafeRawBufferPointer, server: TURNServer) {
    switch answer {
    case let .reply(count):
        guard count <= output.count,
            let reply = try? STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: output[..<count]))
        else { fuzzFailure("a reply does not parse") }
        guard reply.type.messageClass == .successResponse || reply.type.messageClass == .errorResponse else {
            fuzzFailure("a reply is not a response")
        }
        if let error = try? reply.errorCode, error.code == 401 || error.code == 438, count > request.count,
            !error.reasonBytes.isEmpty || reply.fingerprintOffset != nil
        {
            fuzzFailure("a \(error.code) larger than its request is not in its smallest form")
        }
    case let .relay(peer, relayed, payload):
        guard OpenRelayRules(allow: allowList, deniedPorts: [8080]).permits(peer: peer), peer.port != 8080 else {
            fuzzFailure("relayed to a denied peer \(peer)")
        }
        guard (50000...50007).contains(relayed.port), payload.count <= request.count else {
            fuzzFailure("relay from a foreign address or with a payload larger than the input")
        }
    case .drop:
        break
    }
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        var server = makeServer()
        var now = start
        var reader = ByteReader(bytes)
        // The first byte's low bit says whether to set up an allocation with a permission and
        // channel 0x4000 to 127.0.0.1:9000 first, so the relay paths are reached.
        if let setup = reader.readUInt8(), setup & 1 == 1 {
            let peer = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 9000)
            let requests =
                (try? [
                    signed(.allocate, client: clients[0], now: now) { try $0.appendRequestedTransport() },
                    signed(.createPermission, client: clients[0], now: now) {
                        try $0.appendXORAddress(peer, as: .xorPeerAddress)
                    },
                    signed(.channelBind, client: clients[0], now: now) { builder in
                        try builder.appendChannelNumber(0x4000)
                        try builder.appendXORAddress(peer, as: .xorPeerAddress)
                    },
                ]) ?? []
            for request in requests {
                request.withUnsafeBytes { raw in
                    guard case .reply = server.receive(raw, from: clients[0], now: now, into: output) else {
                        fuzzFailure("set-up request was not answered")
                    }
                }
            }
        }
        while let length = reader.readUInt16(), let control = reader.readUInt8(),
            let datagram = reader.readBytes(min(Int(length), reader.remaining))
        {
            now = now.adding(milliseconds: Int64(control >> 2) * 50_000)
            let client = clients[Int(control & 3) % clients.count]
            if control & 3 == 3 {
                // From a peer to the first relayed port, for the peer → client path.
                let peer = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 9000)
                let relayed = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 50000)
                if case let .deliver(_, count) = server.receive(
                    fromPeer: peer, at: relayed, payload: datagram, now: now, into: output),
                    count > output.count
                {
                    fuzzFailure("a delivery overran the output")
                }
                continue
            }
            let answer = server.receive(
                datagram, from: client, transport: control & 0x80 == 0 ? .udp : .tcp, now: now, into: output)
            check(answer, request: datagram, server: server)
            server.expire(now: now)
            _ = server.takeEvents()
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzTURNServer_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
