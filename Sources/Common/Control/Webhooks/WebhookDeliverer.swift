import Dispatch
import MeshCluster
import MeshCrypto
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Delivers the webhook outbox (``WebhookOutbox``, issue 15, item 7): every node runs one, as a
/// consumer of the outbox's group, so an event reaches its receiver once per successful
/// delivery attempt and at least once overall.
///
/// Each delivery is a `POST` of the event's JSON to the receiver with
///
///     X-Meshcast-Webhook-Id: <outbox entry id>          (the same on every retry: deduplicate on it)
///     X-Meshcast-Webhook-Event: stream.started
///     X-Meshcast-Webhook-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
///
/// signed with the secret in the variable the topology names for that receiver. A `2xx` is
/// delivered; anything else, a timeout (5 s) or no connection is retried with back-off; an entry
/// whose secret variable is unset on this node is left for a node that has it.
public final class WebhookDeliverer: Sendable {
    /// The outbox.
    public let outbox: WebhookOutbox
    /// This node's consumer name in the group.
    public let consumer: String
    private let secrets: @Sendable (String) -> String?
    private let timeout: TimeAmount
    private let counts = Mutex(Counts())

    /// What the deliverer did, for `/metrics` and tests.
    public struct Counts: Sendable, Equatable {
        /// Deliveries answered 2xx.
        public var delivered = 0
        /// Attempts that failed (and will be retried or were the last).
        public var failed = 0
        /// Entries given up after ``WebhookOutbox/maximumAttempts``.
        public var givenUp = 0
    }

    /// The counts so far.
    public var snapshot: Counts { counts.withLock { $0 } }

    /// A deliverer of `outbox` as `consumer`, reading secrets with `secrets` (the environment).
    public init(
        outbox: WebhookOutbox, consumer: String, timeout: TimeAmount = .seconds(5),
        secrets: @escaping @Sendable (String) -> String?
    ) {
        self.outbox = outbox
        self.consumer = consumer
        self.timeout = timeout
        self.secrets = secrets
    }

    /// The signature header's value for `body` at `timestamp`.
    public static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        let mac = (try? Digest.hmac(.sha256, key: secret, message: Array("\(timestamp).".utf8) + body)) ?? []
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// One pass: new entries, then pending ones whose back-off has passed. True when it found
    /// any.
    @discardableResult
    public func runOnce() async throws(RedisError) -> Bool {
        let fresh = try await outbox.takeNew(consumer: consumer)
        let (due, givenUp) = try await outbox.takeDue(consumer: consumer)
        if !givenUp.isEmpty { counts.withLock { $0.givenUp += givenUp.count } }
        for entry in fresh + due where await deliver(entry) {
            try await outbox.acknowledge(entry.id)
        }
        return !(fresh.isEmpty && due.isEmpty && givenUp.isEmpty)
    }

    /// Prepares the group, then passes every `interval` until cancelled; a pass that fails on
    /// Redis is tried again on the next tick. While `hasReceivers()` is false (the topology
    /// names no webhook), a pass that found nothing waits `idleInterval` instead: all that can
    /// be there then is an entry left from before the receivers were removed, and two Redis
    /// round trips every 250 ms were a third of an idle node's Redis traffic.
    public func run(
        every interval: Duration = .milliseconds(250), idleInterval: Duration = .seconds(1),
        hasReceivers: @Sendable () -> Bool = { true }
    ) async {
        while !Task.isCancelled {
            if (try? await outbox.prepare()) != nil { break }
            try? await Task.sleep(for: .seconds(1))
        }
        while !Task.isCancelled {
            let found = (try? await runOnce()) ?? true
            try? await Task.sleep(for: found || hasReceivers() ? interval : idleInterval)
        }
    }

    /// Posts `entry`; true for a 2xx answer.
    /// Posts over TLS (``TLSClientExchange``, blocking, on a global dispatch thread) and returns the
    /// response's status (0 when the answer has no status line).
    static func postOverTLS(
        _ head: HTTPRequestHead, body: [UInt8], endpoint: (host: String, port: Int, path: String), caFile: String?,
        timeout: TimeAmount
    ) async throws -> Int {
        var request = "POST \(head.uri) HTTP/1.1\r\n"
        for (name, value) in head.headers { request += "\(name): \(value)\r\n" }
        let bytes = Array((request + "\r\n").utf8) + body
        let wait = Duration.nanoseconds(timeout.nanoseconds)
        let response = try await withCheckedThrowingContinuation { (done: CheckedContinuation<[UInt8], any Error>) in
            DispatchQueue.global().async {
                done.resume(
                    with: Result {
                        try TLSClientExchange.send(
                            bytes, host: endpoint.host, port: endpoint.port, caFile: caFile, timeout: wait)
                    })
            }
        }
        // "HTTP/1.1 204 No Content": the second word of the first line.
        let line = response.prefix { $0 != UInt8(ascii: "\r") }
        let words = line.split(separator: UInt8(ascii: " "))
        guard words.count >= 2, let status = Int(String(decoding: words[1], as: UTF8.self)) else { return 0 }
        return status
    }

    func deliver(_ entry: WebhookOutbox.Entry) async -> Bool {
        guard let secret = secrets(entry.secretVariable), !secret.isEmpty,
            let endpoint = WebhookTarget.endpoint(entry.url)
        else {
            counts.withLock { $0.failed += 1 }
            return false
        }
        let body = Array(entry.body.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.port == 80 ? endpoint.host : "\(endpoint.host):\(endpoint.port)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "User-Agent", value: "meshcast-webhooks")
        headers.add(name: "X-Meshcast-Webhook-Id", value: entry.id)
        headers.add(name: "X-Meshcast-Webhook-Event", value: entry.event)
        headers.add(
            name: "X-Meshcast-Webhook-Signature",
            value: Self.signature(
                secret: Array(secret.utf8), timestamp: Int64(Date().timeIntervalSince1970), body: body))
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path, headers: headers)
        do {
            let status =
                WebhookTarget.usesTLS(entry.url)
                ? try await Self.postOverTLS(
                    head, body: body, endpoint: endpoint, caFile: entry.caFile, timeout: timeout)
                : try await HTTPExchange.send(
                    head, body: body, host: endpoint.host, port: endpoint.port, timeout: timeout
                ).status
            if (200..<300).contains(status) {
                counts.withLock { $0.delivered += 1 }
                return true
            }
        } catch {
            // Counted below like a refusal: the entry stays pending and is retried.
        }
        counts.withLock { $0.failed += 1 }
        return false
    }
}
