import Logging
import MeshCluster
import MeshControl

/// Reports `node.down` for nodes that die without saying so (a crash, `kill -9`, a lost
/// machine), once across the mesh: every node runs this watch, and the first to claim the death
/// in Redis (``NodeRegistry/claimDeath(of:by:at:)``, a `SET NX` on the dead node's death record)
/// reports it. A node that stops cleanly writes its own record first (``stopped()``) and reports
/// its own `node.down`, so nobody reports it twice.
///
/// Once a second the watch lists the registry. A node it saw before that is no longer listed
/// (its entry expired 1.5 s after its last heartbeat, or a silent link evicted it) is a death
/// when it is still missing at the next sweep: a live node whose entry a Redis failover lost
/// writes it again within a heartbeat (250 ms), so it is back by then. Nothing is claimed while
/// Redis is away or settling after it returned (the registry fills up one heartbeat at a time).
public struct NodeDeathWatch: Sendable {
    /// This node's id (the claimant).
    let nodeID: String
    let redis: RedisClient
    let webhooks: WebhookEvents
    let logger: Logger
    /// Time between sweeps.
    var interval = Duration.seconds(1)

    /// A watch run by `nodeID` over `redis`, reporting to `webhooks`.
    public init(nodeID: String, redis: RedisClient, webhooks: WebhookEvents, logger: Logger) {
        self.nodeID = nodeID
        self.redis = redis
        self.webhooks = webhooks
        self.logger = logger
    }

    /// What one watch remembers between sweeps.
    struct Memory: Sendable, Equatable {
        /// Nodes listed at the last sweep, or missing from it for the first time.
        var seen: Set<String> = []
        /// Nodes missing from the last sweep, not yet declared dead.
        var missing: Set<String> = []
    }

    private var registry: NodeRegistry { NodeRegistry(client: redis) }

    /// Sweeps every ``interval`` until cancelled.
    public func run() async {
        var memory = Memory()
        while !Task.isCancelled {
            await sweep(&memory)
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
        }
    }

    /// One sweep; returns the nodes whose death this node claimed and reported.
    @discardableResult
    func sweep(_ memory: inout Memory, now: ContinuousClock.Instant = .now) async -> [String] {
        guard redis.isAvailable, let listed = try? await Set(registry.nodes().map(\.id)) else {
            memory = Memory()
            return []
        }
        if let returned = redis.lastReturn, returned.duration(to: now) < PlacementStateReader.registrySettleTime {
            memory = Memory(seen: memory.seen.union(listed))
            return []
        }
        let gone = memory.seen.subtracting(listed).subtracting([nodeID])
        let dead = gone.intersection(memory.missing)
        var reported: [String] = []
        for id in dead.sorted() {
            do throws(RedisError) {
                guard try await registry.claimDeath(of: id, by: nodeID, at: WallClock.milliseconds()) else { continue }
            } catch {
                logger.debug("mesh: could not claim the death of \(id): \(error)")
                continue
            }
            logger.notice("mesh: \(id) stopped heartbeating without stopping cleanly: reporting node.down")
            await webhooks.reportNow(.nodeDown, node: id)
            reported.append(id)
        }
        memory.missing = gone.subtracting(dead)
        memory.seen = listed.union(memory.missing)
        return reported
    }

    /// This node stops cleanly: its death record says so before its entry expires, so the
    /// others' watches find the death claimed. Best effort: without Redis nobody reports it.
    public func stopped() async {
        try? await registry.recordStop(of: nodeID, at: WallClock.milliseconds())
    }
}
