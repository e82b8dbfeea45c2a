import Logging
import MeshCluster
import ServiceLifecycle
import Synchronization
import Testing

@testable import MeshCascade

/// The node's service group: started in one declared order, stopped in reverse, one service at
/// a time, whatever ends it (MeshNodeRunner runs the real services in it).
@Suite struct NodeServicesTests {
    /// What the stand-in services did, in order.
    final class EventLog: Sendable {
        private let events = Mutex<[String]>([])

        func note(_ event: String) { events.withLock { $0.append(event) } }

        var all: [String] { events.withLock { $0 } }

        /// The services that stopped, in order.
        var stops: [String] { all.filter { $0.hasPrefix("stop ") }.map { String($0.dropFirst(5)) } }

        /// Waits (up to 10 s) until `count` services have started.
        func waitForStarts(_ count: Int) async throws {
            for _ in 0..<1000 where all.filter({ $0.hasPrefix("start ") }).count < count {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    struct Failure: Error, Equatable {}

    /// A stand-in for one of the node's services: runs until its turn in a graceful shutdown
    /// (its work may end earlier by itself, as the coordinator's does), then notes its stop.
    struct StandIn: Service {
        let name: String
        let log: EventLog
        var workEndsAtOnce = false
        var failsAtOnce = false

        func run() async throws {
            log.note("start \(name)")
            if failsAtOnce { throw Failure() }
            await runUntilShutdownTurn { [workEndsAtOnce] in
                if !workEndsAtOnce { try? await Task.sleep(for: .seconds(3600)) }
            }
            log.note("stop \(name)")
        }
    }

    private static func services(
        _ log: EventLog, coordinatorWorkEndsAtOnce: Bool = false, serverFails: Bool = false
    ) -> [any Service] {
        NodeServices.inStartOrder(
            redis: StandIn(name: "redis", log: log),
            coordinator: StandIn(name: "coordinator", log: log, workEndsAtOnce: coordinatorWorkEndsAtOnce),
            engine: StandIn(name: "engine", log: log), follower: StandIn(name: "follower", log: log),
            announcer: StandIn(name: "announcer", log: log),
            http: StandIn(name: "http", log: log, failsAtOnce: serverFails))
    }

    private static let shutdownOrder = ["http", "announcer", "follower", "engine", "coordinator", "redis"]

    @Test func aGracefulShutdownStopsTheServicesInReverseStartOrder() async throws {
        let log = EventLog()
        let group = NodeServices.group(Self.services(log), signals: [], logger: Logger(label: "test.services"))
        let running = Task { try await group.run() }
        try await log.waitForStarts(6)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.stops == Self.shutdownOrder)
    }

    @Test func withoutAMeshOnlyTheEngineAndTheServerRun() {
        let log = EventLog()
        let services = NodeServices.inStartOrder(
            redis: nil, coordinator: nil, engine: StandIn(name: "engine", log: log), follower: nil, announcer: nil,
            http: StandIn(name: "http", log: log))
        #expect(services.compactMap { ($0 as? StandIn)?.name } == ["engine", "http"])
    }

    @Test func workThatEndsByItselfStillWaitsForItsTurn() async throws {
        // The coordinator's event stream ends when the engine ends the sessions; its service
        // must not stop before its turn, or the group would cancel the rest.
        let log = EventLog()
        let group = NodeServices.group(
            Self.services(log, coordinatorWorkEndsAtOnce: true), signals: [], logger: Logger(label: "test.services"))
        let running = Task { try await group.run() }
        try await log.waitForStarts(6)
        try await Task.sleep(for: .milliseconds(50))
        #expect(log.stops.isEmpty)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.stops == Self.shutdownOrder)
    }

    @Test func aServerThatFailsStillStopsTheRestInOrderAndTheErrorComesOut() async throws {
        // A port already in use: the server throws at once.
        let log = EventLog()
        let group = NodeServices.group(
            Self.services(log, serverFails: true), signals: [], logger: Logger(label: "test.services"))
        await #expect(throws: Failure.self) { try await group.run() }
        #expect(log.stops == Array(Self.shutdownOrder.dropFirst()))
    }

    @Test func theCoordinatorServiceClosesTheRelayLinksOnItsTurn() async throws {
        let world = try await MeshWorld(nodes: ["edge-b"])
        let plane = world.plane("edge-b")
        plane.receiving(MeshFixture.record, overLink: "relay>edge-b#1", from: "relay", viewers: 1)
        let service = MeshCoordinatorService(
            coordinator: world.coordinator("edge-b"), dataPlane: plane, logger: Logger(label: "test.edge-b"))
        let group = NodeServices.group([service], signals: [], logger: Logger(label: "test.services"))
        let running = Task { try await group.run() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(await plane.meshStatus().links.count == 1)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(plane.calls.contains("close relay>edge-b#1"))
        #expect(await plane.meshStatus().links.isEmpty)
    }
}
