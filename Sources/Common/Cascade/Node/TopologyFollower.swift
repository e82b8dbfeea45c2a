import Dispatch
import Foundation
import Logging
import MeshCluster
import Synchronization

/// Keeps a running node on the current topology: re-reads its file on SIGHUP and polls the
/// applied topology in Redis every 2 s, and hands every real change to `apply` after logging
/// the plan. Media keeps flowing: a change only reaches the control plane.
final class TopologyFollower: Sendable {
    private struct State {
        var current: Topology
        var lastPublishedJSON: String?
        var redisWarned = false
    }

    private let path: String?
    private let redis: RedisClient?
    private let logger: Logger
    private let apply: @Sendable (Topology) -> Void
    private let state: Mutex<State>

    /// Follows changes to `current`, from the file at `path` and from `redis` (either optional).
    init(
        current: Topology, path: String?, redis: RedisClient?, logger: Logger,
        apply: @escaping @Sendable (Topology) -> Void
    ) {
        self.path = path
        self.redis = redis
        self.logger = logger
        self.apply = apply
        state = Mutex(State(current: current))
    }

    /// The topology the node follows now.
    var current: Topology { state.withLock { $0.current } }

    /// Runs until cancelled.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            if path != nil { group.addTask { await self.reloadOnHangup() } }
            if redis != nil { group.addTask { await self.pollRedis() } }
            await group.waitForAll()
        }
    }

    private func reloadOnHangup() async {
        guard let path else { return }
        for await _ in Self.hangups() {
            do {
                let topology = try TopologyLoader.load(path: path)
                logger.info("SIGHUP: reloaded \(path)")
                adopt(topology, from: path)
            } catch {
                logger.error("SIGHUP: \(path) is not valid, keeping the running topology:\n\(error.description)")
            }
        }
    }

    private func pollRedis() async {
        guard let redis else { return }
        while !Task.isCancelled {
            do {
                if let json = try await PublishedTopology.fetchJSON(from: redis) {
                    let isNew = state.withLock { state in
                        defer { state.lastPublishedJSON = json }
                        return state.lastPublishedJSON != json
                    }
                    if isNew { adopt(try TopologyJSON.decode(Data(json.utf8)), from: "Redis") }
                }
                state.withLock { $0.redisWarned = false }
            } catch {
                let warn = state.withLock { state in
                    defer { state.redisWarned = true }
                    return !state.redisWarned
                }
                if warn { logger.warning("cannot read the applied topology from Redis: \(error)") }
            }
            do {
                try await Task.sleep(for: .seconds(2))
            } catch {
                return
            }
        }
    }

    /// Logs what changes and applies it; a topology equal to the running one is ignored.
    private func adopt(_ topology: Topology, from source: String) {
        let previous = state.withLock { state in
            defer { state.current = topology }
            return state.current
        }
        let plan = TopologyPlan(from: previous, to: topology)
        guard !plan.isEmpty else { return }
        logger.notice("topology from \(source) changes the mesh:\n\(plan.rendered())")
        apply(topology)
    }

    /// SIGHUP deliveries as a stream (the default action, ending the process, is turned off).
    private static func hangups() -> AsyncStream<Void> {
        AsyncStream { continuation in
            signal(SIGHUP, SIG_IGN)
            // Touched only here and in `onTermination`, which runs once after the stream ends.
            nonisolated(unsafe) let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            continuation.onTermination = { _ in source.cancel() }
        }
    }
}
