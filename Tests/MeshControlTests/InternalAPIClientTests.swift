import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshRTC
import Synchronization
import Testing

/// The real ``InternalAPIClient`` against the real server on an ephemeral loopback port.
@Suite struct InternalAPIClientTests {
    @Test func clientDrivesEveryCallAgainstALiveServer() async throws {
        let mesh = RecordingMeshCoordination()
        let configuration = ControlConfiguration(tokenSecret: ControlTest.secret, clusterSecret: MeshTest.clusterSecret)
        let server = ControlServer(configuration: configuration, control: RecordingNodeControl(), mesh: mesh)
        let usedPort = Mutex<Int?>(nil)
        let subscription = try MeshTest.subscription()

        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            usedPort.withLock { $0 = port }
            let base = "http://localhost:\(port)"
            let api = InternalAPIClient(secret: MeshTest.clusterSecret)

            let link = try await api.openLink(apiBase: base, MeshTest.setupRequest)
            #expect(link.linkID == "link-1")
            #expect(link.upstreamAddress == LinkAddress(host: "127.0.0.1", port: 40000))
            #expect(link.keys == MeshTest.setupRequest.keys)
            try await api.subscribe(apiBase: base, link: "link-1", subscription)
            try await api.unsubscribe(apiBase: base, link: "link-1", stream: "lobby")
            try await api.closeLink(apiBase: base + "/", link: "link-1")

            await #expect(
                throws: InternalAPIFailure.rejected(status: 404, body: "no relay link 'link-7' on this node\n")
            ) {
                try await api.closeLink(apiBase: base, link: "link-7")
            }

            let stranger = InternalAPIClient(secret: Array("not the cluster secret".utf8))
            do throws(InternalAPIFailure) {
                try await stranger.closeLink(apiBase: base, link: "link-1")
                Issue.record("a request signed with another secret was accepted")
            } catch {
                guard case .rejected(let status, let body) = error else {
                    Issue.record("expected a rejection, got \(error)")
                    return
                }
                #expect(status == 401)
                #expect(body.contains("does not match"))
            }
        }

        #expect(
            mesh.calls == [
                .acceptLink(MeshTest.setupRequest),
                .subscribe(link: "link-1", subscription),
                .unsubscribe(link: "link-1", stream: "lobby"),
                .closeLink("link-1"),
                .closeLink("link-7"),
            ])

        // The server has stopped: its port now refuses connections.
        let port = try #require(usedPort.withLock { $0 })
        let api = InternalAPIClient(secret: MeshTest.clusterSecret, timeout: .seconds(2))
        do throws(InternalAPIFailure) {
            try await api.closeLink(apiBase: "http://127.0.0.1:\(port)", link: "link-1")
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
        }
    }

    @Test(arguments: [
        "https://127.0.0.1:8080", "http://[::1]:8080", "http://127.0.0.1", "http://host:0", "http://host:8080/x",
        "ftp://a:1",
    ])
    func badAPIBaseIsUnreachable(apiBase: String) async throws {
        let api = InternalAPIClient(secret: MeshTest.clusterSecret)
        do throws(InternalAPIFailure) {
            try await api.closeLink(apiBase: apiBase, link: "link-1")
            Issue.record("\(apiBase) was accepted")
        } catch {
            guard case .unreachable(let reason) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(reason.hasPrefix("bad apiBase"))
        }
    }
}
