import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import Testing

/// `POST /internal/v1/test/link-drop`, the load generator's `drop_link` fault: off unless the
/// node runs with `MESHCAST_TEST_FAULTS=1`, and signed like every internal request.
@Suite struct TestFaultRouteTests {
    static let path = "/internal/v1/test/link-drop"
    static let body = #"{"to":"relay-1","rate":0.05}"#

    @Test func offByDefaultAndCounted() async throws {
        let mesh = RecordingMeshCoordination()
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: Self.path, method: .post, headers: try MeshTest.signed(.post, Self.path, body: Self.body),
                body: ByteBuffer(string: Self.body)
            ) { response in
                #expect(response.status == .notFound)
                #expect(ControlTest.text(response).contains("MESHCAST_TEST_FAULTS=1"))
            }
            let metrics = ControlTest.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(MeshTest.rejected("test_faults_off", in: metrics) == 1)
        }
        #expect(mesh.calls.isEmpty)
    }

    @Test func onItReachesTheCoordinatorWhenSigned() async throws {
        let mesh = RecordingMeshCoordination()
        try await MeshTest.withServer(mesh, testFaults: true) { client in
            try await client.execute(
                uri: Self.path, method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.body)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: Self.path, method: .post, headers: try MeshTest.signed(.post, Self.path, body: Self.body),
                body: ByteBuffer(string: Self.body)
            ) { response in
                #expect(response.status == .ok)
            }
            let wrongRate = #"{"to":"relay-1","rate":1.5}"#
            try await client.execute(
                uri: Self.path, method: .post, headers: try MeshTest.signed(.post, Self.path, body: wrongRate),
                body: ByteBuffer(string: wrongRate)
            ) { response in
                #expect(response.status == .badRequest)
            }
        }
        #expect(mesh.calls == [.setTestLinkDrop(toNode: "relay-1", rate: 0.05)])
    }
}
