import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshRTC
import Synchronization
import Testing

/// WHIP/WHEP `POST` in a mesh: the token first, then placement's verdict (serve, `307`,
/// `503` + `Retry-After`, refusal), and the RFC 6750 §2.3 `access_token` a redirect carries.
@Suite struct PlacementRouteTests {
    private func sdpHeaders(_ token: String, forwardedFor: String? = nil) -> HTTPFields {
        var fields = ControlTest.bearer(token)
        fields[.contentType] = "application/sdp"
        if let forwardedFor, let name = HTTPField.Name("X-Forwarded-For") { fields[name] = forwardedFor }
        return fields
    }

    @Test func viewerRedirectCarriesTheGrantTokenAndQuery() async throws {
        let mesh = RecordingMeshCoordination(
            .init(viewerVerdict: .redirect(nodeID: "edge-2", apiBase: "http://127.0.0.1:9002/", grant: "g.r.1")))
        let engine = RecordingNodeControl()
        let token = ControlTest.token(.view)
        try await MeshTest.withServer(mesh, engine: engine) { client in
            try await client.execute(
                uri: "/whep/lobby?maxBitrate=500000&placed=stale&region=eu-west&reservation=old&grant=old",
                method: .post,
                headers: sdpHeaders(token, forwardedFor: "203.0.113.7"), body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .temporaryRedirect)
                #expect(
                    response.headers[.location]
                        == "http://127.0.0.1:9002/whep/lobby?maxBitrate=500000&region=eu-west&grant=g.r.1"
                        + "&access_token=\(token)")
                // Browsers may read Location only when CORS exposes it.
                #expect(response.headers[.accessControlExposeHeaders]?.contains("Location") == true)
            }
        }
        #expect(
            mesh.calls == [
                .placeViewer(
                    stream: "lobby",
                    request: PlacementRequest(
                        peerAddress: nil, forwardedFor: "203.0.113.7", regionParameter: "eu-west", grant: "old",
                        token: token))
            ])
        #expect(engine.calls.isEmpty)
    }

    @Test func publisherRedirectReplacesTheQueryToken() async throws {
        let mesh = RecordingMeshCoordination(
            .init(publisherVerdict: .redirect(nodeID: "origin-2", apiBase: "http://origin-2.mesh:8080", grant: "g.p.2"))
        )
        let token = ControlTest.token(.publish)
        try await MeshTest.withServer(mesh) { client in
            // The token arrives in the query (no Authorization); the redirect hands on the same one, once.
            try await client.execute(
                uri: "/whip/lobby?access_token=\(token)", method: .post, headers: [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .temporaryRedirect)
                #expect(
                    response.headers[.location]
                        == "http://origin-2.mesh:8080/whip/lobby?grant=g.p.2&access_token=\(token)")
            }
        }
    }

    @Test func followingTheRedirectWithOnlyTheQueryTokenCreatesTheSession() async throws {
        let first = RecordingMeshCoordination(
            .init(viewerVerdict: .redirect(nodeID: "edge-2", apiBase: "http://127.0.0.1:9002", grant: "g.r.1")))
        let token = ControlTest.token(.view)
        let location = Mutex<String?>(nil)
        try await MeshTest.withServer(first) { client in
            let response = try await client.execute(
                uri: "/whep/lobby", method: .post, headers: sdpHeaders(token),
                body: ByteBuffer(string: ControlTest.offer))
            location.withLock { $0 = response.headers[.location] }
        }
        let target = try #require(location.withLock { $0 })
        let pathAndQuery = String(target.dropFirst("http://127.0.0.1:9002".count))

        let placed = RecordingMeshCoordination()
        let engine = RecordingNodeControl()
        try await MeshTest.withServer(placed, engine: engine) { client in
            // A browser drops Authorization on a cross-origin redirect: only the query is left.
            try await client.execute(
                uri: pathAndQuery, method: .post, headers: [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
            }
        }
        #expect(
            placed.calls == [
                .placeViewer(stream: "lobby", request: PlacementRequest(grant: "g.r.1", token: token)),
                .viewerArrived(stream: "lobby", grant: "g.r.1"),
            ])
        #expect(engine.calls.count == 1)
    }

    @Test func unavailablePlacementIs503WithRetryAfter() async throws {
        let mesh = RecordingMeshCoordination(
            .init(publisherVerdict: .unavailable(reason: "no origin has room", retryAfterSeconds: 7)))
        let engine = RecordingNodeControl()
        try await MeshTest.withServer(mesh, engine: engine) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "7")
                // A browser page reads Retry-After only when CORS exposes it (Fetch standard,
                // "CORS-unsafe response header names"); issue 15 found it hidden.
                let exposed = response.headers[.accessControlExposeHeaders]?.split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                #expect(exposed?.contains("Retry-After") == true)
                #expect(ControlTest.text(response) == "no origin has room\n")
            }
        }
        #expect(engine.calls.isEmpty)
    }

    @Test func refusedPlacementAnswersItsStatus() async throws {
        let mesh = RecordingMeshCoordination(
            .init(viewerVerdict: .refused(status: 404, reason: "no such stream in the mesh")))
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: "/whep/lobby", method: .post, headers: ControlTest.headers(.view),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .notFound)
                #expect(ControlTest.text(response) == "no such stream in the mesh\n")
            }
        }
    }

    @Test func tokenIsCheckedBeforePlacement() async throws {
        let mesh = RecordingMeshCoordination()
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: "/whep/lobby", method: .post, headers: [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/whep/lobby", method: .post, headers: ControlTest.headers(.view, stream: "other"),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .forbidden)
            }
        }
        #expect(mesh.calls.isEmpty)
    }

    @Test func viewerServedHereReleasesItsGrantEvenWhenTheEngineRefuses() async throws {
        let mesh = RecordingMeshCoordination()
        let engine = RecordingNodeControl(.init(viewError: .unknownStream))
        try await MeshTest.withServer(mesh, engine: engine) { client in
            try await client.execute(
                uri: "/whep/lobby?grant=g.r.9", method: .post, headers: ControlTest.headers(.view),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(mesh.calls.last == .viewerArrived(stream: "lobby", grant: "g.r.9"))
        #expect(engine.calls.count == 1)
    }

    @Test func publisherServedHereThatGetsNoSessionSettlesItsClaim() async throws {
        let mesh = RecordingMeshCoordination()
        let engine = RecordingNodeControl(.init(publishError: .streamAlreadyPublished))
        try await MeshTest.withServer(mesh, engine: engine) { client in
            try await client.execute(
                uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .conflict)
            }
        }
        #expect(mesh.calls.last == .publisherSettled(stream: "lobby", published: false))
    }

    @Test func queryAccessTokenIsAcceptedForPostOnly() async throws {
        let engine = RecordingNodeControl()
        let token = ControlTest.token(.view)
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/whep/lobby?access_token=\(token)", method: .post, headers: [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .created)
            }
            try await client.execute(
                uri: "/whep/lobby?access_token=not.a.token", method: .post, headers: [.contentType: "application/sdp"],
                body: ByteBuffer(string: ControlTest.offer)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            // RFC 6750 §2.3 is allowed only where a redirect needs it: session DELETE still wants the header.
            try await client.execute(uri: "/whep/lobby/s1?access_token=\(token)", method: .delete) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(engine.calls.count == 1)
    }
}
