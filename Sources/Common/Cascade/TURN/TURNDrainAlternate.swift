import Logging
import MeshCluster
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization

/// The TURN server a draining node names in ALTERNATE-SERVER (RFC 8656 §7.2, RFC 8489 §10):
/// the node placement would choose now for a client of this node's own region, the way it
/// places viewers (edges) or publishers (origins), skipping this node and nodes without a UDP
/// TURN listener. The address is that node's announced IP and UDP TURN port; the server itself
/// names it only to clients of the same family, and a loopback one only to loopback clients.
enum TURNDrainAlternate {
    /// The choice over a placement snapshot, or `nil` when no other node with TURN would be
    /// chosen. Pure: the tests give it a topology and a state.
    static func choose(
        for node: TopologyNode, topology: Topology, index: PlacementIndex, state: PlacementState
    ) -> (nodeID: String, address: STUNTransportAddress)? {
        var state = state
        state.nodes[node.id] = NodeLoad(draining: true)
        for _ in 0..<topology.nodes.count {
            let chosen: NodeSelection
            do throws(PlacementFailure) {
                chosen =
                    node.role == .origin
                    ? try OriginSelector(index: index).select(stream: "", clientRegion: node.region, state: state)
                    : try EdgeSelector(index: index).select(stream: "", clientRegion: node.region, state: state)
            } catch {
                return nil
            }
            if let candidate = topology.node(id: chosen.nodeID), let port = candidate.turn?.udpPort,
                let ip = IPAddressText.parse(candidate.announceIP)
            {
                return (chosen.nodeID, STUNTransportAddress(ip: ip, port: port))
            }
            // Chosen, but it runs no UDP TURN: take it out and ask again.
            state.nodes[chosen.nodeID] = NodeLoad(alive: false)
        }
        return nil
    }

    /// How often the choice is made again while the node drains (loads move).
    static let refreshInterval: Duration = .seconds(2)

    /// From now until the task is cancelled (the node stops), chooses the alternate from the
    /// coordinator's placement snapshot and hands each new choice to `relay` on its loop.
    static func follow(
        node: TopologyNode, coordinator: MeshCoordinator, relay: TURNRelay, loop: MediaWorker, logger: Logger
    ) async {
        var current: STUNTransportAddress?
        while !Task.isCancelled {
            let snapshot = coordinator.topology.snapshot
            do throws(RedisError) {
                let state = try await coordinator.stateReader.liveState(stream: nil, origin: nil)
                let choice = choose(for: node, topology: snapshot.topology, index: snapshot.index, state: state)
                if choice?.address != current {
                    current = choice?.address
                    if let choice {
                        logger.notice("TURN: draining: new allocations go to \(choice.nodeID) at \(choice.address)")
                    } else {
                        logger.notice("TURN: draining: no other node with TURN would be chosen: allocations stay here")
                    }
                    loop.post { [address = current] in relay.redirectAllocations(to: address) }
                }
            } catch {
                logger.warning("TURN: draining: placement unreadable (\(error)): the alternate stays as it was")
            }
            try? await Task.sleep(for: refreshInterval)
        }
    }
}

/// The task that follows placement while the node drains (``TURNDrainAlternate/follow``),
/// cancelled when the node stops.
final class TURNDrainFollower: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts following, once.
    func start(node: TopologyNode, coordinator: MeshCoordinator, relay: TURNRelay, loop: MediaWorker, logger: Logger) {
        task.withLock { task in
            guard task == nil else { return }
            task = Task {
                await TURNDrainAlternate.follow(
                    node: node, coordinator: coordinator, relay: relay, loop: loop, logger: logger)
            }
        }
    }

    /// Stops following.
    func cancel() {
        task.withLock { $0?.cancel() }
    }
}
