import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshRTC
import Synchronization
import Testing

/// The internal API routes: signature checks (each refusal counted, none reaching the
/// coordinator), body rules, and the coordinator's answers mapped to statuses.
@Suite struct InternalRouteTests {
    static let linksPath = "/internal/v1/links"

    /// Sends `headers` to `POST /internal/v1/links` and returns the status and the rejection count for `reason`.
    private func refusal(
        _ headers: HTTPFields, body: String, reason: String, mesh: RecordingMeshCoordination
    ) async throws -> (status: HTTPResponse.Status, text: String, counted: Int?) {
        let outcome = Mutex<(HTTPResponse.Status, String, Int?)>((.ok, "", nil))
        try await MeshTest.withServer(mesh) { client in
            let response = try await client.execute(
                uri: Self.linksPath, method: .post, headers: headers, body: ByteBuffer(string: body))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            outcome.withLock {
                $0 = (
                    response.status, ControlTest.text(response),
                    MeshTest.rejected(reason, in: ControlTest.text(metrics))
                )
            }
        }
        return outcome.withLock { $0 }
    }

    @Test func unsignedRequestIsRefusedAndCounted() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        let result = try await refusal(
            [.contentType: "application/json"], body: body, reason: "missing_signature", mesh: mesh)
        #expect(result.status == .unauthorized)
        #expect(result.text.contains("missing X-Meshcast-Signature"))
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func wrongSecretIsRefusedAndCounted() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body, secret: Array("another secret".utf8))
        let result = try await refusal(headers, body: body, reason: "wrong_signature", mesh: mesh)
        #expect(result.status == .unauthorized)
        #expect(result.text.contains("does not match"))
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func signatureOverAnotherBodyIsRefused() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body + " ")
        let result = try await refusal(headers, body: body, reason: "wrong_signature", mesh: mesh)
        #expect(result.status == .unauthorized)
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func expiredSignatureIsRefusedAndCounted() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        // Two minutes old: beyond the 60 s allowed either side.
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body, time: MeshTest.now - 120)
        let result = try await refusal(headers, body: body, reason: "expired_signature", mesh: mesh)
        #expect(result.status == .unauthorized)
        #expect(result.text.contains("from this node's clock"))
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test(arguments: [
        "v=00",
        "t=1700000000",
        "t=abc,v=" + String(repeating: "0", count: 64),
        "t=1700000000,v=" + String(repeating: "z", count: 64),
        "t=1,t=2,v=" + String(repeating: "0", count: 64),
        "garbage",
    ])
    func garbledSignatureIsRefusedAndCounted(header: String) async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        let headers: HTTPFields = [MeshTest.signatureField: header, .contentType: "application/json"]
        let result = try await refusal(headers, body: body, reason: "malformed_signature", mesh: mesh)
        #expect(result.status == .unauthorized)
        #expect(result.text.contains("malformed X-Meshcast-Signature"))
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func withoutClusterSecretTheAPIIsUnavailable() async throws {
        let mesh = RecordingMeshCoordination()
        try await MeshTest.withServer(mesh, clusterSecret: nil) { client in
            let body = try MeshTest.setupJSON()
            try await client.execute(
                uri: Self.linksPath, method: .post, headers: try MeshTest.signed(.post, Self.linksPath, body: body),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
        #expect(mesh.calls.isEmpty)
    }

    @Test func withoutMeshTheAPIIsUnavailable() async throws {
        try await MeshTest.withServer(nil) { client in
            let body = try MeshTest.setupJSON()
            try await client.execute(
                uri: Self.linksPath, method: .post, headers: try MeshTest.signed(.post, Self.linksPath, body: body),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(ControlTest.text(response) == "this node runs without a mesh\n")
            }
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        let mesh = RecordingMeshCoordination()
        let body = #"{"downstreamNode": "edge-1"}"#
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body)
        let result = try await refusal(headers, body: body, reason: "malformed_json", mesh: mesh)
        #expect(result.status == .badRequest)
        #expect(result.text.contains("not a valid SealedLinkSetupRequest"))
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func wrongContentTypeIsUnsupported() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        var headers = try MeshTest.signed(.post, Self.linksPath, body: body)
        headers[.contentType] = "text/plain"
        let result = try await refusal(headers, body: body, reason: "unsupported_media_type", mesh: mesh)
        #expect(result.status == .unsupportedMediaType)
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func bodyOverSixtyFourKiBIsTooLarge() async throws {
        let mesh = RecordingMeshCoordination()
        let body = String(repeating: " ", count: 64 * 1024 + 1)
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body)
        let result = try await refusal(headers, body: body, reason: "body_too_large", mesh: mesh)
        #expect(result.status == .contentTooLarge)
        #expect(result.counted == 1)
        #expect(mesh.calls.isEmpty)
    }

    @Test func goodLinkRequestReachesTheCoordinator() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: Self.linksPath, method: .post, headers: try MeshTest.signed(.post, Self.linksPath, body: body),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/internal/v1/links/link-1")
                let sealed = try JSONDecoder().decode(
                    SealedLinkSetupResponse.self, from: Data(buffer: response.body))
                #expect(sealed.linkID == "link-1")
                let answer = try sealed.opened(by: "edge-1", with: MeshTest.keySeal())
                #expect(answer.keys == MeshTest.setupRequest.keys)
            }
        }
        #expect(mesh.calls == [.acceptLink(MeshTest.setupRequest)])
    }

    @Test func subscriptionRequestsReachTheCoordinator() async throws {
        let mesh = RecordingMeshCoordination()
        let subscribePath = "/internal/v1/links/link-1/subscriptions"
        let unsubscribePath = "/internal/v1/links/link-1/subscriptions/lobby"
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: subscribePath, method: .post,
                headers: try MeshTest.signed(.post, subscribePath, body: MeshTest.subscriptionJSON),
                body: ByteBuffer(string: MeshTest.subscriptionJSON)
            ) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(
                uri: unsubscribePath, method: .delete,
                headers: try MeshTest.signed(.delete, unsubscribePath, json: false)
            ) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(
                uri: "/internal/v1/links/link-1", method: .delete,
                headers: try MeshTest.signed(.delete, "/internal/v1/links/link-1", json: false)
            ) { response in
                #expect(response.status == .noContent)
            }
        }
        #expect(
            mesh.calls == [
                .subscribe(link: "link-1", try MeshTest.subscription()),
                .unsubscribe(link: "link-1", stream: "lobby"),
                .closeLink("link-1"),
            ])
    }

    @Test func signatureForAnotherPathIsRefused() async throws {
        let mesh = RecordingMeshCoordination()
        try await MeshTest.withServer(mesh) { client in
            // Signed for link-2, sent to link-1: the path is part of what is signed.
            try await client.execute(
                uri: "/internal/v1/links/link-1", method: .delete,
                headers: try MeshTest.signed(.delete, "/internal/v1/links/link-2", json: false)
            ) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(mesh.calls.isEmpty)
    }

    @Test func unknownLinkIsNotFound() async throws {
        let mesh = RecordingMeshCoordination()
        let path = "/internal/v1/links/link-9"
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: path, method: .delete, headers: try MeshTest.signed(.delete, path, json: false)
            ) { response in
                #expect(response.status == .notFound)
                #expect(ControlTest.text(response) == "no relay link 'link-9' on this node\n")
            }
        }
        #expect(mesh.calls == [.closeLink("link-9")])
    }

    @Test(arguments: [
        (InternalRequestError.unknownStream("lobby"), HTTPResponse.Status.notFound),
        (.invalid("keys are not GCM"), .badRequest),
        (.unavailable("link table full"), .serviceUnavailable),
    ])
    func coordinatorErrorsMapToStatuses(error: InternalRequestError, status: HTTPResponse.Status) async throws {
        let mesh = RecordingMeshCoordination(.init(acceptError: error))
        let body = try MeshTest.setupJSON()
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: Self.linksPath, method: .post, headers: try MeshTest.signed(.post, Self.linksPath, body: body),
                body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == status)
                #expect(ControlTest.text(response) == error.description + "\n")
            }
        }
    }

    @Test func metricsAppendTheCoordinatorsLines() async throws {
        try await MeshTest.withServer(RecordingMeshCoordination()) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = ControlTest.text(response)
                #expect(text.hasSuffix("meshcast_mesh_links 1\n"))
                #expect(MeshTest.rejected("wrong_signature", in: text) == 0)
            }
        }
    }
}
