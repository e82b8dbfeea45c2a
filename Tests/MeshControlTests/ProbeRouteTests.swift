import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshRTC
import Testing

/// The orchestrator's probes (issue 15, item 6): `/health/live` fails only when a media loop
/// has not turned for ``NodeLiveness/stallLimitSeconds``; `/health/ready` (and `/ready`, kept)
/// fails when the engine is not running or the node is draining, while the rest keeps serving.
@Suite struct ProbeRouteTests {
    private static func withServer(
        _ engine: RecordingNodeControl, drain: NodeDrainState,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let server = ControlServer(
            configuration: ControlConfiguration(tokenSecret: ControlTest.secret), control: engine, drain: drain)
        try await server.makeApplication().test(.router) { client in try await body(client) }
    }

    @Test func readinessFailsFromTheMomentTheNodeDrains() async throws {
        let drain = NodeDrainState()
        try await Self.withServer(RecordingNodeControl(), drain: drain) { client in
            for path in ["/health/ready", "/ready"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
            drain.beginDraining()
            for path in ["/health/ready", "/ready"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(ControlTest.text(response) == "draining\n")
                }
            }
            // Draining is not dead, and the node's other resources keep answering.
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func readinessFollowsTheEngineToo() async throws {
        let engine = RecordingNodeControl()
        engine.update { $0.ready = false }
        try await Self.withServer(engine, drain: NodeDrainState()) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(ControlTest.text(response) == "not ready\n")
            }
        }
    }

    @Test func livenessFailsWhenALoopHasNotTurnedWithinTheLimit() async throws {
        let limit = NodeLiveness.stallLimitSeconds
        let engine = RecordingNodeControl()
        engine.update {
            $0.liveness = NodeLiveness(workers: [
                .init(worker: 0, sinceTurnSeconds: 0.02), .init(worker: 1, sinceTurnSeconds: 0.5),
            ])
        }
        try await Self.withServer(engine, drain: NodeDrainState()) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder().decode(NodeLiveness.self, from: Data(buffer: response.body))
                #expect(report.workers.map(\.worker) == [0, 1])
            }
            engine.update {
                $0.liveness = NodeLiveness(workers: [
                    .init(worker: 0, sinceTurnSeconds: 0.02), .init(worker: 1, sinceTurnSeconds: limit),
                ])
            }
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder().decode(NodeLiveness.self, from: Data(buffer: response.body))
                #expect(report.stalled.map(\.worker) == [1])
            }
        }
    }
}
