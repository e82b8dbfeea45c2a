import Benchmark
import MeshCrypto
import MeshTURN
import MeshWire

// The TURN server's per-packet work on the way to a client (issue 13): a media datagram from the
// node's own port wrapped as ChannelData for the allocation's client, as the relay does for every
// packet forwarded to a TURN viewer. Each sample runs 1000 wraps (scaling factor kilo): times are
// per wrap, mallocs per 1000 (the target is zero).

let secret = TURNSecret("bench")
let start = TURNInstant(seconds: 1_733_400_000)
let client = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40_000)
let media = STUNTransportAddress(ip: .v4(0x7F00_0001), port: 5000)

/// A server holding one UDP allocation for `client` with channel 0x4000 bound to `media`.
func serverWithChannel() throws -> (TURNServer, relayed: STUNTransportAddress) {
    let nonceKey = [UInt8](repeating: 0x42, count: 32)
    var server = TURNServer(
        secrets: [secret], nonces: TURNNonceIssuer(key: nonceKey), policy: .selfOnly([media]),
        relayPorts: TURNRelayPorts(ipv4: media.ip, range: 50_000...50_009))
    let credential = try TURNRESTCredential(secret: secret, id: "viewer", expiry: start.adding(seconds: 86_400))
    let nonce = TURNNonceIssuer(key: nonceKey).issue(for: client, now: start)
    var output = [UInt8](repeating: 0, count: 1500)
    func send(_ method: STUNMethod, _ body: (inout STUNMessageBuilder) throws -> Void) throws -> STUNMessage {
        var request = [UInt8](repeating: 0, count: 600)
        let count = try request.withUnsafeMutableBytes { buffer in
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
        let answer = request.withUnsafeBytes { input in
            output.withUnsafeMutableBytes {
                server.receive(UnsafeRawBufferPointer(rebasing: input[..<count]), from: client, now: start, into: $0)
            }
        }
        guard case let .reply(length) = answer else { throw BenchSetupFailed() }
        return try output.withUnsafeBytes { try STUNMessage(parsing: UnsafeRawBufferPointer(rebasing: $0[..<length])) }
    }
    let allocated = try send(.allocate) { try $0.appendRequestedTransport() }
    guard let relayed = try? allocated.xorAddress(.xorRelayedAddress) else { throw BenchSetupFailed() }
    _ = try send(.channelBind) {
        try $0.appendChannelNumber(0x4000)
        try $0.appendXORAddress(media, as: .xorPeerAddress)
    }
    return (server, relayed)
}

struct BenchSetupFailed: Error {}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 10,
        scalingFactor: .kilo, maxDuration: .seconds(2))

    Benchmark("TURN wrap 1132 B from the node's media as ChannelData") { benchmark in
        var (server, relayed) = try serverWithChannel()
        let payload = [UInt8](repeating: 0x42, count: 1132)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048 + 64, alignment: 16)
        defer { output.deallocate() }
        payload.withUnsafeBytes { payload in
            for _ in benchmark.scaledIterations {
                blackHole(server.receive(fromPeer: media, at: relayed, payload: payload, now: start, into: output))
            }
        }
    }
}
