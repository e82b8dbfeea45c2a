import Foundation
import MeshCluster
import Testing

/// `webhooks:` in a topology (issue 15, item 7): receivers with their events and secret
/// variable, every mistake reported with its line and column, and a topology without webhooks
/// encoding to the same canonical JSON as before the key existed.
@Suite struct TopologyWebhookTests {
    /// A one-node topology; `webhooks` lines start at line 12.
    private func topology(_ webhooks: [String]) -> String {
        let lines = [
            "mesh: hooks",
            "regions: [{name: local}]",
            "secrets: {cluster: CLUSTER_SECRET, token: TOKEN_SECRET}",
            "nodes:",
            "  - id: n1",
            "    role: origin",
            "    region: local",
            "    api: 127.0.0.1:8080",
            "    media: 127.0.0.1",
            "    announce: 127.0.0.1",
            "    ports: 40000-40099",
        ]
        return (lines + webhooks).joined(separator: "\n") + "\n"
    }

    private func reported(_ yaml: String) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    @Test func receiversLoadWithTheirEvents() throws {
        let loaded = try TopologyLoader.load(
            yaml: topology([
                "webhooks:",
                "  - {url: 'http://hooks.internal:9000/meshcast', events: [stream.started, node.down], secret: HOOK_A}",
                "  - {url: 'http://127.0.0.1/all', secret: HOOK_B}",
                "  - {url: 'https://hooks.example/x', secret: HOOK_C, ca: /etc/meshcast/hooks-ca.pem}",
            ]), file: "inline.yaml")
        #expect(
            loaded.webhooks == [
                WebhookTarget(
                    url: "http://hooks.internal:9000/meshcast", events: [.streamStarted, .nodeDown],
                    secretVariable: "HOOK_A"),
                WebhookTarget(url: "http://127.0.0.1/all", events: WebhookEvent.allCases, secretVariable: "HOOK_B"),
                WebhookTarget(
                    url: "https://hooks.example/x", secretVariable: "HOOK_C", caFile: "/etc/meshcast/hooks-ca.pem"),
            ])
        #expect(loaded.webhooks?[0].endpoint?.port == 9000 && loaded.webhooks?[1].endpoint?.port == 80)
        #expect(loaded.webhooks?[2].endpoint?.port == 443 && WebhookTarget.usesTLS("https://hooks.example/x"))
        let again = try TopologyJSON.decode(try TopologyJSON.encode(loaded))
        #expect(again == loaded)
    }

    @Test func withoutWebhooksTheCanonicalJSONHasNoKey() throws {
        let loaded = try TopologyLoader.load(yaml: topology([]), file: "inline.yaml")
        #expect(loaded.webhooks == nil)
        let json = String(decoding: try TopologyJSON.encode(loaded), as: UTF8.self)
        #expect(!json.contains("webhooks"))
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        #expect(
            reported(
                topology([
                    "webhooks:",
                    "  - {url: 'ftp://hooks.example/x', secret: HOOK}",
                    "  - {url: 'http://ok.internal/x', events: [stream.started, stream.exploded], secret: HOOK}",
                    "  - {url: 'http://ok.internal/x'}",
                    "  - {url: 'http://ok.internal/x', secret: HOOK, ca: ca.pem}",
                ])) == [
                    Reported(13, 11, "webhook url must be http(s)://host[:port][/path], found 'ftp://hooks.example/x'"),
                    Reported(
                        14, 60,
                        "unknown webhook event 'stream.exploded' (known: stream.started, stream.ended, node.up, "
                            + "node.draining, node.down, recording.started, recording.segment_closed, recording.stopped)"
                    ),
                    Reported(15, 5, "webhook is missing required key 'secret'"),
                    Reported(16, 53, "webhook 'ca' is for an https:// url, not 'http://ok.internal/x'"),
                ])
    }

    @Test(
        arguments: [
            ("http://a", "a", 80, "/"), ("http://a.b-c:81/x/y?z=1", "a.b-c", 81, "/x/y?z=1"),
            ("https://hooks.example/x", "hooks.example", 443, "/x"), ("https://localhost:8443", "localhost", 8443, "/"),
        ])
    func endpoints(url: String, host: String, port: Int, path: String) throws {
        let endpoint = try #require(WebhookTarget.endpoint(url))
        #expect(endpoint.host == host && endpoint.port == port && endpoint.path == path)
    }

    @Test(arguments: ["https://", "http://", "http://a:0/", "http://a:70000/", "http://a b/", "ftp://a/", "httpx://a/"])
    func badEndpoints(url: String) {
        #expect(WebhookTarget.endpoint(url) == nil)
    }

    @Test func addingAReceiverIsALiveChangeInThePlan() throws {
        let running = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        var target = running
        target.webhooks = [WebhookTarget(url: "http://127.0.0.1:9000/h", events: [.nodeDown], secretVariable: "HOOK")]
        let plan = TopologyPlan(from: running, to: target)
        #expect(plan.changes.map(\.subject) == [.webhooks])
        #expect(plan.changes.first?.rollout == .live)
        #expect(plan.rendered().contains("http://127.0.0.1:9000/h"))
        #expect(TopologyPlan(from: target, to: target).isEmpty)
    }
}
