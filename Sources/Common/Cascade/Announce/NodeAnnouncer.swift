import Dispatch
import Foundation
import Logging
import MeshCluster
import MeshRTC
import MeshRuntime
import Synchronization

/// Tells the mesh about this node: its place and limits from the topology and its live load
/// from the engine (measured every second), through `NodeRegistry.runHeartbeats`, which
/// refreshes the registry entry four times a second so that a dead node leaves placement fast.
///
/// Keeps the drain verdict each heartbeat returns (``isDraining``) and logs when it changes;
/// logs Redis going away and coming back once each, not on every beat.
public final class NodeAnnouncer: Sendable {
    private struct State {
        var node: TopologyNode
        var load = NodeStatus.Load()
        var draining = false
        var stopping = false
        /// Wall-clock ms when this node first saw itself draining or stopping.
        var drainingSince: UInt64?
        var redisAway = false
    }

    private let registry: NodeRegistry
    private let control: any MediaNodeControl
    private let logger: Logger
    private let state: Mutex<State>
    private let meter: Mutex<NodeLoadMeter>

    /// An announcer for `node` (its topology entry), measuring `control` and writing to
    /// `registry`; `workers` is the number of media workers, which CPU load is divided by.
    public init(
        node: TopologyNode, workers: Int, control: any MediaNodeControl, registry: NodeRegistry, logger: Logger
    ) {
        self.registry = registry
        self.control = control
        self.logger = logger
        state = Mutex(State(node: node))
        meter = Mutex(NodeLoadMeter(workers: workers))
    }

    /// Whether the mesh wants this node drained, as of the last successful heartbeat.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// The node was asked to stop: its status says `stopping`, which placement and the
    /// reservation script read as draining, while its sessions keep flowing and its heartbeats go
    /// on. Written at once rather than at the next beat, so that not even this node's own
    /// placement picks it in between; if Redis is away, the next successful beat writes it.
    public func beginStopping() async {
        state.withLock { $0.stopping = true }
        // A Redis known to be away would only hold the drain up for its I/O timeout.
        guard registry.client.isAvailable else { return }
        do {
            _ = try await registry.heartbeat(status())
        } catch {
            logger.notice(
                "could not mark \(state.withLock { $0.node.id }) stopping in Redis now (\(error)); the next heartbeat will"
            )
        }
    }

    /// Takes the node's new topology entry (a reloaded topology may change its capacity).
    public func update(node: TopologyNode) {
        state.withLock { $0.node = node }
    }

    /// Measures the load every second and heartbeats every `NodeRegistry.refreshInterval`
    /// until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.measureEverySecond() }
            group.addTask {
                await self.registry.runHeartbeats(
                    status: { self.status() },
                    onDraining: { self.heard(draining: $0) },
                    onError: { self.failed($0) })
            }
            await group.waitForAll()
        }
    }

    /// Removes the node from the registry at once (graceful shutdown) instead of letting its
    /// status expire; a failure only means the status expires by itself a moment later.
    public func withdraw() async {
        let id = state.withLock { $0.node.id }
        do {
            try await registry.remove(id: id)
        } catch {
            logger.notice("could not withdraw \(id) from Redis (\(error)); its status expires by itself")
        }
    }

    /// The status the next heartbeat sends.
    func status() -> NodeStatus {
        let now = UInt64((Date().timeIntervalSince1970 * 1000).rounded())
        let (node, load, stopping, drainingSince) = state.withLock { state in
            if state.draining || state.stopping {
                if state.drainingSince == nil { state.drainingSince = now }
            } else {
                state.drainingSince = nil
            }
            return (state.node, state.load, state.stopping, state.drainingSince)
        }
        return NodeStatus(
            id: node.id, role: node.role, region: node.region, apiURL: "http://\(node.api)",
            mediaAddress: "\(node.mediaHost):\(node.ports.first)", capacity: Self.capacity(of: node), load: load,
            stopping: stopping, drainingSince: drainingSince, updatedAt: now)
    }

    /// The topology's limits in heartbeat terms; an unset limit is the largest value, since
    /// the reservation script refuses a node whose sessions reach its `capSessions`.
    static func capacity(of node: TopologyNode) -> NodeStatus.Capacity {
        let limits = [node.capacity?.sessions, node.capacity?.viewers].compactMap { $0 }
        let egress = node.capacity?.egressMbps.map { Int64($0) * 1_000_000 } ?? Int64.max
        return NodeStatus.Capacity(sessions: limits.min() ?? Int(Int32.max), egressBitsPerSecond: egress)
    }

    private func measureEverySecond() async {
        while !Task.isCancelled {
            let metrics = await control.metrics()
            let sample = NodeLoadMeter.Sample(
                metrics: metrics, cpuSeconds: ProcessUsage.cpuSeconds(), now: DispatchTime.now().uptimeNanoseconds)
            let load = meter.withLock { $0.load(after: sample) }
            state.withLock { $0.load = load }
            do {
                try await Task.sleep(for: .seconds(1))
            } catch {
                return
            }
        }
    }

    private func heard(draining: Bool) {
        let (wasAway, changed, id) = state.withLock { state in
            defer {
                state.redisAway = false
                state.draining = draining
            }
            return (state.redisAway, state.draining != draining, state.node.id)
        }
        if wasAway { logger.notice("Redis is back: \(id) is registered again") }
        if changed {
            if draining {
                logger.notice("\(id) is draining: placement sends it no new viewers or links")
            } else {
                logger.notice("\(id) is no longer draining: it takes new viewers and links again")
            }
        }
    }

    private func failed(_ error: RedisError) {
        let first = state.withLock { state in
            defer { state.redisAway = true }
            return !state.redisAway
        }
        if first {
            logger.warning("Redis is away (\(error)): media keeps flowing; new placements wait until it returns")
        }
    }
}
