import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Synchronization
import Testing

/// `POST /internal/v1/links` with sealed keys that do not open: a 400 with a short reason,
/// counted, and never a trap or a call to the coordinator (RFC 5116 §2.2: FAIL, nothing else).
@Suite struct SealedLinkKeyRouteTests {
    static let linksPath = "/internal/v1/links"

    /// Posts `body`, correctly signed, and returns the status, the text and the count for `reason`.
    private func post(_ body: String, reason: String) async throws -> (HTTPResponse.Status, String, Int?) {
        let mesh = RecordingMeshCoordination()
        let outcome = Mutex<(HTTPResponse.Status, String, Int?)>((.ok, "", nil))
        try await MeshTest.withServer(mesh) { client in
            let response = try await client.execute(
                uri: Self.linksPath, method: .post, headers: try MeshTest.signed(.post, Self.linksPath, body: body),
                body: ByteBuffer(string: body))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            outcome.withLock {
                $0 = (
                    response.status, ControlTest.text(response),
                    MeshTest.rejected(reason, in: ControlTest.text(metrics))
                )
            }
        }
        #expect(mesh.calls.isEmpty)
        return outcome.withLock { $0 }
    }

    private func sealed(box: String, version: Int = 1) throws -> String {
        var body = try SealedLinkSetupRequest(sealing: MeshTest.setupRequest, with: MeshTest.keySeal())
        body.sealedKeys = SealedLinkKeys(version: version, box: box)
        return try MeshTest.json(body)
    }

    @Test(arguments: ["", "!!!!", "AAAA", String(repeating: "A", count: 112), String(repeating: "A", count: 5000)])
    func malformedBoxesAreBadRequests(box: String) async throws {
        let (status, text, counted) = try await post(try sealed(box: box), reason: "malformed_sealed_keys")
        let unopenable = box.count == 112  // the right length, so it is opened and fails the tag
        #expect(status == .badRequest)
        #expect(text.hasPrefix("bad sealedKeys"))
        #expect(counted == (unopenable ? 0 : 1))
    }

    @Test func anotherVersionIsABadRequest() async throws {
        let good = try SealedLinkSetupRequest(sealing: MeshTest.setupRequest, with: MeshTest.keySeal())
        let (status, text, counted) = try await post(
            try sealed(box: good.sealedKeys.box, version: 2), reason: "malformed_sealed_keys")
        #expect(status == .badRequest)
        #expect(text.contains("version 2"))
        #expect(counted == 1)
    }

    @Test func keysSealedForAnotherRequestDoNotOpen() async throws {
        // A box sealed for edge-2, moved into edge-1's correctly signed request.
        var other = MeshTest.setupRequest
        other.downstreamNode = "edge-2"
        let moved = try SealedLinkSetupRequest(sealing: other, with: MeshTest.keySeal())
        let (status, text, counted) = try await post(
            try sealed(box: moved.sealedKeys.box), reason: "unopenable_sealed_keys")
        #expect(status == .badRequest)
        #expect(text.contains("do not open"))
        #expect(counted == 1)
    }

    @Test func keysSealedWithAnotherSecretDoNotOpen() async throws {
        let stranger = try SealedLinkSetupRequest(
            sealing: MeshTest.setupRequest, with: MeshTest.keySeal(Array("another cluster secret".utf8)))
        let (status, _, counted) = try await post(try MeshTest.json(stranger), reason: "unopenable_sealed_keys")
        #expect(status == .badRequest)
        #expect(counted == 1)
    }

    @Test func keysInClearAreRefused() async throws {
        let clear = """
            {"downstreamNode":"edge-1","upstreamNode":"origin-1","downstreamAddress":{"host":"127.0.0.1","port":41000},\
            "keys":{"downstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"},\
            "upstream":{"key":"AAAAAAAAAAAAAAAAAAAAAA","salt":"AAAAAAAAAAAAAAAA"}}}
            """
        let (status, text, counted) = try await post(clear, reason: "malformed_json")
        #expect(status == .badRequest)
        #expect(text.contains("sealedKeys"))
        #expect(counted == 1)
    }

    @Test func randomBoxesAreAllRefusedWithoutATrap() async throws {
        let mesh = RecordingMeshCoordination()
        var generator = SystemRandomNumberGenerator()
        let bodies = try (0..<40).map { round in
            let bytes = (0..<(round * 7 % 140)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return try sealed(box: Base64URL.encode(bytes))
        }
        try await MeshTest.withServer(mesh) { client in
            for body in bodies {
                try await client.execute(
                    uri: Self.linksPath, method: .post,
                    headers: try MeshTest.signed(.post, Self.linksPath, body: body), body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest)
                }
            }
        }
        #expect(mesh.calls.isEmpty)
    }
}
