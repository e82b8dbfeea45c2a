import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// The publisher ledger (issue 15, item 5): a publish that ends without its publisher's DELETE
/// is audited once as `publish.end` under the publisher's name; one that its publisher DELETEs is
/// audited by that request only.
@Suite struct PublisherLedgerTests {
    static func publish(_ client: any TestClientProtocol, token: String) async throws -> String {
        try await client.execute(
            uri: "/whip/lobby", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/sdp"],
            body: ByteBuffer(string: ControlTest.offer)
        ) { response in
            #expect(response.status == .created)
            return String(response.headers[.location]?.split(separator: "/").last ?? "")
        }
    }

    @Test("a publish the engine ends is a publish.end of its publisher, once")
    func engineEnded() async throws {
        let configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        let ledger = configuration.publishers
        let token = OperatorRouteTests.token(.publish, stream: "lobby")
        try await ControlTest.withServer(configuration: configuration) { client in
            let id = try await Self.publish(client, token: token)
            #expect(ledger.count == 1)
            let record = try #require(ledger.ended(id, node: "origin-1"))
            #expect(record.action == "publish.end" && record.target == "whip/lobby/\(id)")
            #expect(record.actor == "tester-publish" && record.node == "origin-1")
            #expect(ledger.ended(id, node: "origin-1") == nil)
            #expect(ledger.ended("some-viewer", node: "origin-1") == nil)
        }
    }

    @Test("a publisher's own DELETE leaves nothing for the engine's report; a DELETE that ends nothing keeps it")
    func ownDelete() async throws {
        let configuration = ControlConfiguration(tokenSecret: ControlTest.secret)
        let ledger = configuration.publishers
        let token = OperatorRouteTests.token(.publish, stream: "lobby")
        try await ControlTest.withServer(configuration: configuration) { client in
            let id = try await Self.publish(client, token: token)
            try await client.execute(uri: "/whip/lobby/not-\(id)", method: .delete, headers: ControlTest.bearer(token))
            {
                #expect($0.status == .notFound)
            }
            #expect(ledger.count == 1)
            try await client.execute(uri: "/whip/lobby/\(id)", method: .delete, headers: ControlTest.bearer(token)) {
                #expect($0.status == .ok)
                #expect($0.headers[HTTPField.Name("X-Request-ID") ?? .contentType] != nil)
            }
            #expect(ledger.count == 0)
            #expect(ledger.ended(id, node: "origin-1") == nil)
        }
    }
}
