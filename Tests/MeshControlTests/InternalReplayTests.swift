import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshRTC
import Synchronization
import Testing

@testable import MeshControl

/// Replays of signed internal requests (issue 17, item 5): a signature is good for one request,
/// once. Today's captures allowed 20 replays to open 20 links within the 60 s skew.
@Suite struct InternalReplayTests {
    static let linksPath = "/internal/v1/links"

    @Test func replayedLinkRequestIsRefusedWhileTheFirstWasAccepted() async throws {
        let mesh = RecordingMeshCoordination()
        let body = try MeshTest.setupJSON()
        let headers = try MeshTest.signed(.post, Self.linksPath, body: body)
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(
                uri: Self.linksPath, method: .post, headers: headers, body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status == .created)
            }
            for _ in 0..<3 {
                try await client.execute(
                    uri: Self.linksPath, method: .post, headers: headers, body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(ControlTest.text(response).contains("already used"))
                }
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(MeshTest.rejected("replayed_signature", in: ControlTest.text(response)) == 3)
            }
        }
        #expect(mesh.calls == [.acceptLink(MeshTest.setupRequest)])
    }

    @Test func replayedDeleteIsRefused() async throws {
        let mesh = RecordingMeshCoordination()
        let path = "/internal/v1/links/link-1"
        let headers = try MeshTest.signed(.delete, path, json: false)
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(uri: path, method: .delete, headers: headers) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: path, method: .delete, headers: headers) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(mesh.calls == [.closeLink("link-1")])
    }

    @Test func signatureWithAQueryAddedIsRefused() async throws {
        let mesh = RecordingMeshCoordination()
        let path = "/internal/v1/links/link-1"
        let headers = try MeshTest.signed(.delete, path, json: false)
        try await MeshTest.withServer(mesh) { client in
            for target in [path + "?x=1", path + "?"] {
                try await client.execute(uri: target, method: .delete, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(ControlTest.text(response).contains("does not match"))
                }
            }
            // A query signed as sent is fine: the target is what is signed, not a rule about queries.
            let signedQuery = try MeshTest.signed(.delete, path + "?x=1", json: false)
            try await client.execute(uri: path + "?x=1", method: .delete, headers: signedQuery) { response in
                #expect(response.status == .noContent)
            }
        }
        #expect(mesh.calls == [.closeLink("link-1")])
    }

    @Test func signatureForAnotherMethodIsRefused() async throws {
        let mesh = RecordingMeshCoordination()
        let path = "/internal/v1/links/link-1"
        let headers = try MeshTest.signed(.post, path, json: false)
        try await MeshTest.withServer(mesh) { client in
            try await client.execute(uri: path, method: .delete, headers: headers) { response in
                #expect(response.status == .unauthorized)
            }
        }
        #expect(mesh.calls.isEmpty)
    }

    // The memory itself, on a clock the test sets.

    @Test func memoryRefusesASecondUseUntilTheWindowHasPassed() {
        let memory = InternalNonceMemory()
        let nonce = InternalRequestNonce(high: 1, low: 2)
        #expect(memory.admit(nonce, signedAt: 1000, now: 1000) == .fresh)
        #expect(memory.admit(nonce, signedAt: 1000, now: 1030) == .replayed)
        // Signed at 1000: a checker accepts it until 1060 inclusive, so it is remembered until then.
        #expect(memory.admit(nonce, signedAt: 1000, now: 1060) == .replayed)
        #expect(memory.admit(InternalRequestNonce(high: 9, low: 9), signedAt: 1061, now: 1061) == .fresh)
        #expect(memory.count == 1)
    }

    @Test func fullMemoryRefusesNewNoncesRatherThanForgetLiveOnes() {
        let memory = InternalNonceMemory(capacity: 3)
        for low in 0..<3 {
            #expect(memory.admit(InternalRequestNonce(high: 0, low: UInt64(low)), signedAt: 1000, now: 1000) == .fresh)
        }
        #expect(memory.admit(InternalRequestNonce(high: 0, low: 7), signedAt: 1000, now: 1010) == .full)
        // Nothing was forgotten to make room: the first nonce is still a replay.
        #expect(memory.admit(InternalRequestNonce(high: 0, low: 0), signedAt: 1000, now: 1010) == .replayed)
        // Once their window has passed, room comes back.
        #expect(memory.admit(InternalRequestNonce(high: 0, low: 7), signedAt: 1061, now: 1061) == .fresh)
        #expect(memory.count == 1)
    }
}
