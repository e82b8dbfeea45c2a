import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import Testing

/// `GET /v1/mesh` (issue 16): the coordinator's overview for operator tokens only (RFC 6750 §3:
/// 401 without or with a bad token, 403 with a token of another scope), 503 without a mesh or
/// while Redis cannot be read.
@Suite struct MeshOverviewRouteTests {
    static let overview = MeshOverview(
        mesh: "local", answeredBy: "origin-1", readAt: 1_700_000_000_000, appliedTopology: "0123456789abcdef",
        answeringNodeTopology: "0123456789abcdef",
        nodes: [
            .init(
                id: "edge-a", role: "edge", region: "a", state: "serving", heartbeatAgeMilliseconds: 120, sessions: 3,
                sessionCapacity: 500, egressBitsPerSecond: 2_000_000, egressCapacityBitsPerSecond: 0, cpu: 0.25),
            .init(
                id: "relay-1", role: "relay", region: "a", state: "stale", heartbeatAgeMilliseconds: nil, sessions: 0,
                sessionCapacity: 0, egressBitsPerSecond: 0, egressCapacityBitsPerSecond: 0, cpu: 0),
        ],
        streams: [
            .init(
                name: "lobby", origin: "origin-1", startedAt: 1, carriers: ["edge-a", "origin-1"],
                viewers: ["edge-a": 3])
        ])

    @Test func operatorTokensGetTheOverview() async throws {
        let mesh = RecordingMeshCoordination(.init(overview: Self.overview))
        let token = OperatorRouteTests.token(.operator)
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(uri: "/v1/mesh", method: .get, headers: ControlTest.bearer(token)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let answer = try JSONDecoder().decode(MeshOverview.self, from: Data(ControlTest.text(response).utf8))
                #expect(answer == Self.overview)
            }
        }
    }

    @Test func viewAndPublishTokensAreRefused() async throws {
        let mesh = RecordingMeshCoordination(.init(overview: Self.overview))
        try await MeshTest.withServer(mesh) { client in
            for action in [StreamAction.view, .publish] {
                for stream in ["lobby", StreamToken.anyStream] {
                    let headers = ControlTest.bearer(ControlTest.token(action, stream: stream))
                    try await client.execute(uri: "/v1/mesh", method: .get, headers: headers) { response in
                        #expect(response.status == .forbidden, "\(action) token for \(stream)")
                        #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
                    }
                }
            }
            try await client.execute(uri: "/v1/mesh", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            let forged = ControlTest.bearer(
                try StreamToken.mint(
                    stream: StreamToken.anyStream, action: .operator, ttl: .seconds(60),
                    secret: Array("another secret, also 32 bytes...".utf8)))
            try await client.execute(uri: "/v1/mesh", method: .get, headers: forged) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func withoutAMeshOrRedisItIsUnavailable() async throws {
        let token = ControlTest.bearer(OperatorRouteTests.token(.operator))
        try await MeshTest.withServer(nil) { client in
            try await client.execute(uri: "/v1/mesh", method: .get, headers: token) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(ControlTest.text(response).contains("without a mesh"))
            }
        }
        try await MeshTest.withServer(RecordingMeshCoordination(.init(overview: nil))) { client in
            try await client.execute(uri: "/v1/mesh", method: .get, headers: token) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
            }
        }
    }
}
