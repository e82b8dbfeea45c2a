import Dispatch
import Foundation
import MeshControl
import Testing

/// The listener's guards against clients that hold connections open, over real loopback
/// sockets: the request head deadline (RFC 9110 §15.5.9 408), the per-client connection cap
/// (§15.6.4 503) and the keep-alive idle timeout (RFC 9112 §9.5 lets a server close an idle
/// persistent connection at any time). Short timeouts keep each test to a few seconds.
@Suite(.serialized) struct ConnectionGuardTests {
    private static func configuration(
        headTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(30), perClient: Int = 64
    ) -> ControlConfiguration {
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        configuration.requestHeadTimeout = headTimeout
        configuration.idleTimeout = idleTimeout
        configuration.maxConnectionsPerClient = perClient
        return configuration
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    private static let health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    /// One status line from a fresh connection's `GET /health`.
    private static func freshHealth(port: Int) throws -> String? {
        let socket = try RawHTTPSocket(port: port)
        socket.send(health)
        return socket.readResponse(within: 5)
    }

    @Test func slowHeadersAreCutAtTheHeadTimeoutWhileOtherClientsAreServed() async throws {
        // A 3 s deadline and a header line every second: a deadline renewed by each line
        // would never expire, a fixed one expires between the third and the fourth line.
        try await LiveControlServer.run(Self.configuration(headTimeout: .seconds(3))) { port in
            let outcome = try await offThePool {
                let start = DispatchTime.now().uptimeNanoseconds
                let slow = try (0..<8).map { _ in try RawHTTPSocket(port: port) }
                for socket in slow { socket.send("GET /health HTTP/1.1\r\n") }
                var closedAt = [Double?](repeating: nil, count: slow.count)
                var healthMeanwhile: String?
                for second in 1...10 where closedAt.contains(where: { $0 == nil }) {
                    let due = start + UInt64(second) * 1_000_000_000
                    let now = DispatchTime.now().uptimeNanoseconds
                    if due > now { usleep(UInt32((due - now) / 1000)) }
                    if second == 2 { healthMeanwhile = try Self.freshHealth(port: port) }
                    for (index, socket) in slow.enumerated() where closedAt[index] == nil {
                        socket.read(for: 0)
                        if socket.isClosed {
                            closedAt[index] = Self.seconds(since: start)
                        } else {
                            socket.send("X-Trickle-\(second): \(second)\r\n")
                        }
                    }
                }
                return (closedAt, slow.map(\.text), healthMeanwhile)
            }
            #expect(outcome.2 == "HTTP/1.1 200 OK")
            for (closedAt, text) in zip(outcome.0, outcome.1) {
                let seconds = try #require(closedAt, "a slow-header connection was still open after 10 s")
                #expect(seconds > 2.5 && seconds < 7, "closed after \(seconds) s")
                #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout"))
            }
        }
    }

    @Test func aConnectionOverThePerClientCapIsRefused() async throws {
        try await LiveControlServer.run(Self.configuration(perClient: 4)) { port in
            let outcome = try await offThePool {
                // Each held connection serves a request first, so the server has counted it.
                let held = try (0..<4).map { _ in try RawHTTPSocket(port: port) }
                let served = held.map { socket in
                    socket.send(Self.health)
                    return socket.readResponse(within: 5)
                }
                let fifth = try RawHTTPSocket(port: port)
                fifth.read(for: 5)
                // Once one held connection closes, the address is under the cap again.
                held[0].close()
                var healthAfterwards: String?
                for _ in 0..<50 where healthAfterwards != "HTTP/1.1 200 OK" {
                    healthAfterwards = try? Self.freshHealth(port: port)
                    if healthAfterwards != "HTTP/1.1 200 OK" { usleep(100_000) }
                }
                return (served, fifth.text, fifth.isClosed, healthAfterwards)
            }
            #expect(outcome.0 == Array(repeating: "HTTP/1.1 200 OK", count: 4))
            #expect(outcome.1.hasPrefix("HTTP/1.1 503 Service Unavailable"))
            #expect(outcome.1.contains("too many connections from 127.0.0.1 (at most 4)"))
            #expect(outcome.2)
            #expect(outcome.3 == "HTTP/1.1 200 OK")
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let configuration = Self.configuration(headTimeout: .seconds(1), idleTimeout: .seconds(4))
        try await LiveControlServer.run(configuration) { port in
            let outcome = try await offThePool {
                let socket = try RawHTTPSocket(port: port)
                socket.send(Self.health)
                let first = socket.readResponse(within: 5)
                // Idle for longer than the head timeout: between requests only the idle
                // timeout applies, so the connection still serves.
                usleep(1_500_000)
                socket.send(Self.health)
                let second = socket.readResponse(within: 5)
                let idleSince = DispatchTime.now().uptimeNanoseconds
                socket.read(for: 12)
                return (first, second, socket.isClosed, Self.seconds(since: idleSince))
            }
            #expect(outcome.0 == "HTTP/1.1 200 OK")
            #expect(outcome.1 == "HTTP/1.1 200 OK")
            #expect(outcome.2, "the idle connection was still open after 12 s")
            #expect(outcome.3 > 3.5 && outcome.3 < 10, "closed after \(outcome.3) s idle")
        }
    }
}
