import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshCluster
import Testing

@testable import MeshControl

/// Rate limits on the HTTP side (issue 15, item 4): a flood of WHEP POSTs from one client gets
/// `429 Too Many Requests` (RFC 6585 §4) with `Retry-After` once its burst is spent, exposed to
/// pages through CORS, while another client is served; the client is the first
/// `X-Forwarded-For` address only behind a trusted proxy. Over real sockets, so that the
/// address is the connection's. (The limits holding while Redis is away: RateLimiterRedisTests.)
@Suite struct RateLimitRouteTests {
    /// WHEP: 1 request per hour after a burst of 3, per address and per token, so the clock
    /// never refills a bucket here.
    static let limits = RateLimits(whep: RateLimitPair(both: RateLimit(requests: 1, periodSeconds: 3600, burst: 3)))

    private static func configuration(trustingLoopback: Bool) -> ControlConfiguration {
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        configuration.rateLimiter = RateLimiter(limits: limits)
        if trustingLoopback { configuration.trustedProxies = [IPNetwork(text: "127.0.0.1/32")].compactMap { $0 } }
        return configuration
    }

    /// One WHEP POST on a connection of its own, as `forwardedFor` behind the proxy when given;
    /// the whole response as text.
    private static func postWHEP(port: Int, token: String, forwardedFor: String?) async throws -> String {
        try await offThePool {
            let socket = try RawHTTPSocket(port: port)
            let body = ControlTest.offer
            var head = "POST /whep/lobby HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            head += "Authorization: Bearer \(token)\r\nContent-Type: application/sdp\r\n"
            if let forwardedFor { head += "X-Forwarded-For: \(forwardedFor)\r\n" }
            _ = socket.send(head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
            socket.read(for: 5)
            return socket.text
        }
    }

    /// A view token of its own for each `index` (their expiry times differ).
    private static func token(_ index: Int) -> String {
        ControlTest.token(.view, ttl: .seconds(600 + index))
    }

    private static func status(_ response: String) -> String {
        response.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
    }

    private static func header(_ name: String, in response: String) -> String? {
        let prefix = name.lowercased() + ":"
        return response.split(separator: "\r\n").first { $0.lowercased().hasPrefix(prefix) }
            .map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
    }

    @Test func aFloodFromOneAddressIs429WhileAnotherAddressIsServed() async throws {
        let engine = RecordingNodeControl()
        try await LiveControlServer.run(Self.configuration(trustingLoopback: true), engine: engine) { port in
            // Each client its own token, so that only the address limit is at play.
            var statuses: [String] = []
            for index in 0..<5 {
                let token = Self.token(index)
                statuses.append(
                    Self.status(try await Self.postWHEP(port: port, token: token, forwardedFor: "203.0.113.7")))
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == "HTTP/1.1 201 Created" }, "\(statuses)")
            #expect(statuses.suffix(2).allSatisfy { $0 == "HTTP/1.1 429 Too Many Requests" }, "\(statuses)")

            let refused = try await Self.postWHEP(
                port: port, token: Self.token(9), forwardedFor: "203.0.113.7")
            // One request per hour: the next one is allowed an hour after the burst, rounded up.
            let retryAfter = Self.header("Retry-After", in: refused).flatMap { Int($0) }
            // Less what the burst took: seconds on a loaded machine.
            #expect(retryAfter.map { (3000...3600).contains($0) } == true, "\(refused)")
            let exposed = Self.header("Access-Control-Expose-Headers", in: refused) ?? ""
            #expect(exposed.contains("Retry-After"), "\(refused)")

            let other = try await Self.postWHEP(
                port: port, token: Self.token(10), forwardedFor: "198.51.100.9")
            #expect(Self.status(other) == "HTTP/1.1 201 Created", "\(other)")

            // Counted for operators; probes and /metrics itself are never limited.
            let metrics = try await offThePool {
                let socket = try RawHTTPSocket(port: port)
                _ = socket.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                socket.read(for: 5)
                return socket.text
            }
            #expect(metrics.contains("meshcast_rate_limited_total{class=\"whep\",by=\"address\"} 3\n"), "\(metrics)")
            #expect(metrics.contains("meshcast_rate_limited_total{class=\"whep\",by=\"token\"} 0\n"))
            #expect(metrics.contains("meshcast_rate_limit_local_total 11\n"))
        }
        // The refused requests never reached the engine.
        #expect(engine.calls.count == 4)
    }

    @Test func forwardedForIsIgnoredFromAnUntrustedPeer() async throws {
        try await LiveControlServer.run(Self.configuration(trustingLoopback: false)) { port in
            var statuses: [String] = []
            for index in 0..<4 {
                // A client rotating its claimed address is still counted by its own.
                let response = try await Self.postWHEP(
                    port: port, token: Self.token(20 + index),
                    forwardedFor: "192.0.2.\(index + 1)")
                statuses.append(Self.status(response))
            }
            #expect(statuses.last == "HTTP/1.1 429 Too Many Requests", "\(statuses)")
        }
    }

    @Test func oneTokenFromManyAddressesIsLimitedToo() async throws {
        try await LiveControlServer.run(Self.configuration(trustingLoopback: true)) { port in
            let token = Self.token(30)
            var statuses: [String] = []
            for index in 0..<4 {
                let response = try await Self.postWHEP(port: port, token: token, forwardedFor: "192.0.2.\(index + 1)")
                statuses.append(Self.status(response))
            }
            #expect(statuses == Array(repeating: "HTTP/1.1 201 Created", count: 3) + ["HTTP/1.1 429 Too Many Requests"])
        }
    }

    @Test func probesAndPreflightsAreNeverLimited() {
        #expect(RateLimitMiddleware.requestClass(method: .get, path: "/health/ready") == nil)
        #expect(RateLimitMiddleware.requestClass(method: .get, path: "/metrics") == nil)
        #expect(RateLimitMiddleware.requestClass(method: .options, path: "/whep/lobby") == nil)
        #expect(RateLimitMiddleware.requestClass(method: .post, path: "/internal/v1/links") == nil)
        #expect(RateLimitMiddleware.requestClass(method: .post, path: "/whip/lobby") == .whip)
        #expect(RateLimitMiddleware.requestClass(method: .post, path: "/whep/lobby") == .whep)
        #expect(RateLimitMiddleware.requestClass(method: .patch, path: "/whep/lobby/s1") == .patch)
        #expect(RateLimitMiddleware.requestClass(method: .delete, path: "/whip/lobby/s1") == .patch)
        #expect(RateLimitMiddleware.requestClass(method: .put, path: "/v1/streams/lobby") == .api)
    }
}
