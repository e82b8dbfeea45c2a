import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MeshCluster
import MeshControl
import MeshCrypto
import MeshTestSupport
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// Webhooks (issue 15, item 7) from the Redis outbox to a small HTTP receiver on loopback: a
/// delivery is signed (HMAC-SHA256 over `<t>.<body>`), refused attempts are retried after their
/// back-off with the same id, receivers get only the events they asked for, and an entry past
/// its attempts is given up.
@Suite("Webhook delivery", .serialized, .timeLimit(.minutes(1)))
struct WebhookDeliveryTests {
    static let secret = "a webhook secret of 32 bytes ok!"

    /// What the receiver saw: each request's headers and body.
    final class Receiver: Sendable {
        struct Delivery: Sendable {
            let id: String
            let event: String
            let signature: String
            let body: String
        }
        let deliveries = Mutex<[Delivery]>([])
        static let idHeader = HTTPField.Name("X-Meshcast-Webhook-Id") ?? .contentType
        static let eventHeader = HTTPField.Name("X-Meshcast-Webhook-Event") ?? .contentType
        static let signatureHeader = HTTPField.Name("X-Meshcast-Webhook-Signature") ?? .contentType
        /// Answers 500 to the first `refusals` requests, then 204.
        let refusals: Int

        init(refusals: Int) { self.refusals = refusals }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/hook") { request, _ -> HTTPResponse.Status in
                let body = try await request.body.collect(upTo: 65536)
                let delivery = Delivery(
                    id: request.headers[Self.idHeader] ?? "",
                    event: request.headers[Self.eventHeader] ?? "",
                    signature: request.headers[Self.signatureHeader] ?? "",
                    body: String(buffer: body))
                let count = self.deliveries.withLock {
                    $0.append(delivery)
                    return $0.count
                }
                return count <= self.refusals ? .internalServerError : .noContent
            }
            return router
        }
    }

    /// Runs `body` with a receiver listening on an ephemeral port of 127.0.0.1.
    static func withReceiver(_ receiver: Receiver, _ body: @Sendable (Int) async throws -> Void) async throws {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                listening.yield(channel.localAddress?.port ?? 0)
                listening.finish()
            })
        let services = ServiceGroup(services: [application], logger: Logger(label: "test.webhook-receiver"))
        let server = Task { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        try #require(port > 0)
        do {
            try await body(port)
        } catch {
            await services.triggerGracefulShutdown()
            _ = await server.result
            throw error
        }
        await services.triggerGracefulShutdown()
        try await server.value
    }

    /// Runs `body` with a client of a fresh Redis and an outbox in it whose group is made.
    static func withOutbox(
        firstBackoffMilliseconds: Int64 = 1000, _ body: (RedisClient, WebhookOutbox) async throws -> Void
    ) async throws {
        let redisServer = try RedisTestServer()
        defer { redisServer.stop() }
        let redis = RedisClient(endpoint: redisServer.endpoint)
        await redis.waitUntil(available: true)
        let outbox = WebhookOutbox(redis: redis, firstBackoffMilliseconds: firstBackoffMilliseconds)
        try await outbox.prepare()
        try await body(redis, outbox)
        await redis.shutdown()
    }

    /// Queues a `node.down` for a receiver on a port nobody listens on.
    static func enqueueForUnreachableReceiver(in outbox: WebhookOutbox) async throws {
        let closedPort = try FreePort.tcp()
        let target = WebhookTarget(url: "http://127.0.0.1:\(closedPort)/hook", secretVariable: "HOOK")
        try await outbox.enqueue(.nodeDown, body: "{}", targets: [target])
    }

    @Test(
        "a refused delivery is retried after its back-off, signed, with the same id; other receivers' events stay away")
    func retriedAndSigned() async throws {
        let receiver = Receiver(refusals: 1)
        // A minute's back-off first, so that no slow first attempt makes the entry due at once.
        try await Self.withOutbox(firstBackoffMilliseconds: 60_000) { redis, outbox in
            try await Self.withReceiver(receiver) { port in
                let targets = [
                    WebhookTarget(
                        url: "http://127.0.0.1:\(port)/hook", events: [.streamStarted], secretVariable: "HOOK"),
                    WebhookTarget(url: "http://127.0.0.1:\(port)/other", events: [.nodeUp], secretVariable: "HOOK"),
                ]
                let events = WebhookEvents(outbox: outbox, node: "origin-1") { targets }
                let body = events.body(.streamStarted, stream: "lobby")
                try await outbox.enqueue(.streamStarted, body: body, targets: targets)
                let deliverer = WebhookDeliverer(outbox: outbox, consumer: "origin-1") {
                    $0 == "HOOK" ? Self.secret : nil
                }
                try await deliverer.runOnce()
                #expect(deliverer.snapshot.failed == 1 && deliverer.snapshot.delivered == 0)
                // Not due again before its back-off.
                try await deliverer.runOnce()
                #expect(receiver.deliveries.withLock { $0.count } == 1)
                // Due once idle for the back-off: the same stream seen with a 200 ms one.
                let quick = WebhookDeliverer(
                    outbox: WebhookOutbox(redis: redis, firstBackoffMilliseconds: 200), consumer: "origin-1"
                ) { $0 == "HOOK" ? Self.secret : nil }
                try await Task.sleep(for: .milliseconds(300))
                try await quick.runOnce()
                #expect(quick.snapshot.delivered == 1)
                let seen = receiver.deliveries.withLock { $0 }
                #expect(seen.count == 2)
                #expect(Set(seen.map(\.id)).count == 1 && seen[0].event == "stream.started")
                for delivery in seen {
                    #expect(delivery.body == body)
                    let t = try #require(delivery.signature.split(separator: ",").first?.dropFirst(2)).description
                    let expected = WebhookDeliverer.signature(
                        secret: Array(Self.secret.utf8), timestamp: try #require(Int64(t)), body: Array(body.utf8))
                    #expect(delivery.signature == expected)
                    #expect(delivery.signature.count == "t=\(t),v1=".count + 64)
                }
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                #expect(json["event"] as? String == "stream.started" && json["stream"] as? String == "lobby")
                #expect(json["node"] as? String == "origin-1" && (json["time"] as? Int ?? 0) > 1_700_000_000_000)
                // Nothing is pending once delivered.
                let pending = try await redis.command(["XPENDING", WebhookOutbox.streamKey, WebhookOutbox.group])
                #expect(pending.array?.first?.int == 0)
            }
        }
    }

    @Test("an entry past its attempts is given up; an unreachable receiver counts failures")
    func givenUp() async throws {
        try await Self.withOutbox { redis, outbox in
            try await Self.enqueueForUnreachableReceiver(in: outbox)
            let deliverer = WebhookDeliverer(outbox: outbox, consumer: "edge-1", timeout: .seconds(1)) { _ in
                Self.secret
            }
            try await deliverer.runOnce()
            #expect(deliverer.snapshot.failed == 1)
            // As if it had been tried WebhookOutbox.maximumAttempts times already.
            let id = try #require(
                try await redis.command(["XRANGE", WebhookOutbox.streamKey, "-", "+"]).array?.first?.array?.first?
                    .string)
            _ = try await redis.command([
                "XCLAIM", WebhookOutbox.streamKey, WebhookOutbox.group, "edge-1", "0", id, "RETRYCOUNT",
                String(WebhookOutbox.maximumAttempts),
            ])
            try await deliverer.runOnce()
            #expect(deliverer.snapshot.givenUp == 1)
            let pending = try await redis.command(["XPENDING", WebhookOutbox.streamKey, WebhookOutbox.group])
            #expect(pending.array?.first?.int == 0)
        }
    }

    @Test(
        "with no receiver in the topology an empty outbox is read every idle interval (1 s), not every pass; an entry is still tried"
    )
    func idleWithoutReceivers() async throws {
        try await Self.withOutbox { redis, outbox in
            /// The outbox reads so far (`INFO commandstats`: `cmdstat_xreadgroup:calls=N,…`).
            func reads() async throws -> Int {
                let info = try await redis.command(["INFO", "commandstats"]).string ?? ""
                let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_xreadgroup:") } ?? ""
                return Int(line.dropFirst("cmdstat_xreadgroup:calls=".count).prefix { $0.isNumber }) ?? 0
            }
            let receivers = Mutex(false)
            let deliverer = WebhookDeliverer(outbox: outbox, consumer: "edge-1", timeout: .seconds(1)) { _ in
                Self.secret
            }
            let running = Task {
                await deliverer.run(
                    every: .milliseconds(20), idleInterval: .milliseconds(400),
                    hasReceivers: { receivers.withLock { $0 } })
            }
            try await Task.sleep(for: .milliseconds(100))
            let idleStart = try await reads()
            try await Task.sleep(for: .milliseconds(600))
            let idleReads = try await reads() - idleStart
            #expect(idleReads <= 3, "every 400 ms while idle: \(idleReads) reads in 600 ms")
            receivers.withLock { $0 = true }
            try await Task.sleep(for: .milliseconds(450))
            let busyStart = try await reads()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await reads() - busyStart >= 5, "every 20 ms once a receiver is named")
            // An entry left from before the receivers went away is still taken up while idle.
            receivers.withLock { $0 = false }
            try await Self.enqueueForUnreachableReceiver(in: outbox)
            for _ in 0..<50 where deliverer.snapshot.failed == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(deliverer.snapshot.failed == 1)
            running.cancel()
            await running.value
        }
    }

    @Test("the back-off doubles from 1 s to at most 60 s")
    func backoff() {
        #expect(
            (1...9).map { WebhookOutbox.backoffMilliseconds(afterAttempts: $0) } == [
                1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
            ])
    }
}
