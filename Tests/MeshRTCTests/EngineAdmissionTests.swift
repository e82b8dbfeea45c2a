import MeshCluster
import Testing

@testable import MeshRTC

/// A node enforces its capacity and the stream policies itself, atomically, for every session
/// it serves, placed or not (issue 17: edge-a took 500 sessions against a capacity of 450).
@Suite struct EngineAdmissionTests {
    private func admitConcurrently(
        _ registry: StreamRegistry, stream: String, count: Int, sessions prefix: String = "v"
    ) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    (try? registry.admitViewer(stream, session: "\(prefix)\(index)", now: 0)) != nil
                }
            }
            var admitted = 0
            for await ok in group where ok { admitted += 1 }
            return admitted
        }
    }

    @Test func concurrentViewersNeverExceedTheNodesViewerCapacity() async throws {
        let registry = StreamRegistry(
            graceSeconds: 300,
            limits: SessionLimits(
                acceptsPublishers: false, capacity: NodeCapacity(sessions: 500, viewers: 450), policies: .none))
        registry.declare("live", now: 0)
        #expect(await admitConcurrently(registry, stream: "live", count: 500) == 450)
        #expect(throws: SessionRequestError.unavailable("this node serves its most viewers (450)")) {
            try registry.admitViewer("live", session: "late", now: 0)
        }
        // A viewer leaving frees its slot.
        registry.viewerEnded("live", session: "v0", now: 0)
        registry.viewerEnded("live", session: "v1", now: 0)
        // New sessions: "v2" again would be a session already counted, admitted while the two
        // freed slots were still open without taking one (a third admission, now and then).
        #expect(await admitConcurrently(registry, stream: "live", count: 10, sessions: "w") == 2)
    }

    @Test func maxViewersPerStreamAndItsOverridesHold() async throws {
        let policies = StreamPolicies(
            maxViewersPerStream: 20,
            streamLimits: [StreamLimit(pattern: try #require(StreamPattern("keynote-*")), maxViewers: 30)])
        let registry = StreamRegistry(
            graceSeconds: 300,
            limits: SessionLimits(acceptsPublishers: true, capacity: NodeCapacity(), policies: policies))
        registry.declare("town-hall", now: 0)
        registry.declare("keynote-1", now: 0)
        #expect(await admitConcurrently(registry, stream: "town-hall", count: 100) == 20)
        #expect(await admitConcurrently(registry, stream: "keynote-1", count: 100) == 30)
    }

    @Test func publishersNeedARoleThatTakesThemAndRoom() throws {
        let edge = StreamRegistry(
            graceSeconds: 300,
            limits: SessionLimits(acceptsPublishers: false, capacity: NodeCapacity(), policies: .none))
        #expect(throws: SessionRequestError.unavailable("this node does not take publishers; publish to an origin")) {
            try edge.reservePublisher("evil", session: "p1")
        }
        let origin = StreamRegistry(
            graceSeconds: 300,
            limits: SessionLimits(
                acceptsPublishers: true, capacity: NodeCapacity(), policies: StreamPolicies(maxPublishers: 2)))
        _ = try origin.reservePublisher("a", session: "p1")
        _ = try origin.reservePublisher("b", session: "p2")
        #expect(throws: SessionRequestError.streamAlreadyPublished) { try origin.reservePublisher("a", session: "p3") }
        #expect(throws: SessionRequestError.unavailable("the mesh publishes its most streams (max_publishers 2)")) {
            try origin.reservePublisher("c", session: "p4")
        }
    }

    /// A recorder's direct ingest is a publisher of the node alone: its role's "no publishers"
    /// and the mesh's `max_publishers` do not apply; the node's own capacity does.
    @Test func localPublishersNeedOnlyRoom() throws {
        let recorder = StreamRegistry(
            graceSeconds: 300,
            limits: SessionLimits(
                acceptsPublishers: false, capacity: NodeCapacity(sessions: 2),
                policies: StreamPolicies(maxPublishers: 1)))
        _ = try recorder.reservePublisher("ingest:a:0", session: "p1", local: true)
        _ = try recorder.reservePublisher("ingest:b:0", session: "p2", local: true)
        #expect(throws: SessionRequestError.unavailable("this node serves its most sessions (2)")) {
            try recorder.reservePublisher("ingest:c:0", session: "p3", local: true)
        }
        #expect(throws: SessionRequestError.unavailable("this node does not take publishers; publish to an origin")) {
            try recorder.reservePublisher("mesh-stream", session: "p4")
        }
    }
}
