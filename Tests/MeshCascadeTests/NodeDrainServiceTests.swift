import Logging
import MeshControl
import ServiceLifecycle
import Synchronization
import Testing

@testable import MeshCascade

/// SIGTERM drains a node (issue 15, item 6): ``NodeDrainService`` runs last in the node's group;
/// the first stop request fails readiness and leaves every other service running, the drain
/// ends when the node holds nothing, at the deadline, or on a second request, and only then do
/// the other services stop, in their order. Stop requests stand in for the signals here
/// (`meshcast node` traps SIGTERM and SIGINT into the same call; the interop test
/// test_mesh_drain.py sends the real signals).
@Suite(.timeLimit(.minutes(1))) struct NodeDrainServiceTests {
    typealias EventLog = NodeServicesTests.EventLog
    typealias StandIn = NodeServicesTests.StandIn

    /// What the drain's idle check answers; the test flips it.
    final class Holding: Sendable {
        private let value = Mutex(true)
        var sessions: Bool {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    private struct Node {
        let log = EventLog()
        let drain = NodeDrainState()
        let holding = Holding()
        let service: NodeDrainService
        let group: ServiceGroup

        init(deadlineSeconds: Int = 3600) {
            let holding = holding
            service = NodeDrainService(
                drain: drain, announcer: nil, signals: nil, logger: Logger(label: "test.drain"),
                deadlineSeconds: { deadlineSeconds }, isIdle: { !holding.sessions })
            group = NodeServices.group(
                NodeServices.inStartOrder(
                    redis: nil, coordinator: nil, engine: StandIn(name: "engine", log: log), follower: nil,
                    announcer: nil, http: StandIn(name: "http", log: log), drain: service),
                signals: [], logger: Logger(label: "test.services"))
        }
    }

    /// Polls (bounded by the suite's time limit) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        while !condition() { try await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func aSecondStopRequestEndsTheDrainAtOnce() async throws {
        let node = Node()
        let running = Task { try await node.group.run() }
        try await node.log.waitForStarts(2)
        #expect(!node.drain.isDraining)
        node.service.requestStop("SIGTERM")
        try await eventually { node.drain.isDraining }
        // Sessions remain and the deadline is an hour away: everything keeps running.
        try await Task.sleep(for: .milliseconds(300))
        #expect(node.log.stops.isEmpty)
        node.service.requestStop("SIGTERM")
        try await running.value
        #expect(node.log.stops == ["http", "engine"])
    }

    @Test func theDrainEndsWhenTheLastSessionLeaves() async throws {
        let node = Node()
        let running = Task { try await node.group.run() }
        try await node.log.waitForStarts(2)
        node.service.requestStop("SIGTERM")
        try await eventually { node.drain.isDraining }
        #expect(node.log.stops.isEmpty)
        node.holding.sessions = false
        try await running.value
        #expect(node.log.stops == ["http", "engine"])
    }

    @Test func theDeadlineEndsTheDrainWithSessionsStillThere() async throws {
        let node = Node(deadlineSeconds: 0)
        let running = Task { try await node.group.run() }
        try await node.log.waitForStarts(2)
        node.service.requestStop("SIGINT")
        try await running.value
        #expect(node.drain.isDraining)
        #expect(node.holding.sessions)
        #expect(node.log.stops == ["http", "engine"])
    }

    @Test func aGroupStoppingForAnotherReasonDoesNotDrain() async throws {
        let node = Node()
        let running = Task { try await node.group.run() }
        try await node.log.waitForStarts(2)
        await node.group.triggerGracefulShutdown()
        try await running.value
        #expect(!node.drain.isDraining)
        #expect(node.log.stops == ["http", "engine"])
    }
}
