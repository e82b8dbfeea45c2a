import Logging
import MeshCluster
import MeshRuntime
import MeshTURN
import MeshWire
import Synchronization

/// The TURN servers a draining node names in ALTERNATE-SERVER (RFC 8656 §7.2, RFC 8489 §10):
/// for a client in a region's address blocks, the node placement would choose now for a client
/// of that region; for any other client, the one it would choose for this node's own region;
/// the way it places viewers (edges) or publishers (origins), skipping this node and nodes
/// without a UDP TURN listener. The address is that node's announced IP and UDP TURN port; the
/// server itself names it only to clients of the same family, and a loopback one only to
/// loopback clients.
enum TURNDrainAlternate {
    /// The alternates over a placement snapshot (``TURNAlternates``), with the node and address
    /// chosen for each region's clients and for the others (for the log); `nil` when no other node with TURN would be chosen for any
    /// client. Pure: the tests give it a topology and a state.
    static func alternates(
        for node: TopologyNode, topology: Topology, index: PlacementIndex, state: PlacementState
    ) -> (alternates: TURNAlternates, chosen: [String: String])? {
        var blocks: [TURNAlternates.Block] = []
        var chosen: [String: String] = [:]
        for region in topology.regions {
            let choice = choose(
                for: node, clientRegion: region.name, topology: topology, index: index, state: state)
            guard let choice else { continue }
            chosen[region.name] = "\(choice.nodeID) at \(choice.address)"
            for block in region.cidrs {
                guard let prefix = IPPrefix(block.description) else { continue }
                blocks.append(TURNAlternates.Block(prefix: prefix, alternate: choice.address))
            }
        }
        let fallback = choose(for: node, clientRegion: node.region, topology: topology, index: index, state: state)
        guard fallback != nil || !blocks.isEmpty else { return nil }
        if let fallback { chosen["others"] = "\(fallback.nodeID) at \(fallback.address)" }
        return (TURNAlternates(blocks: blocks, fallback: fallback?.address), chosen)
    }

    /// The node placement would choose for a client of `clientRegion` and its UDP TURN address,
    /// or `nil` when no other node with TURN would be chosen.
    static func choose(
        for node: TopologyNode, clientRegion: String, topology: Topology, index: PlacementIndex,
        state: PlacementState
    ) -> (nodeID: String, address: STUNTransportAddress)? {
        var state = state
        state.nodes[node.id] = NodeLoad(draining: true)
        for _ in 0..<topology.nodes.count {
            let chosen: NodeSelection
            do throws(PlacementFailure) {
                chosen =
                    node.role == .origin
                    ? try OriginSelector(index: index).select(stream: "", clientRegion: clientRegion, state: state)
                    : try EdgeSelector(index: index).select(stream: "", clientRegion: clientRegion, state: state)
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
        var current: TURNAlternates?
        while !Task.isCancelled {
            let snapshot = coordinator.topology.snapshot
            do throws(RedisError) {
                let state = try await coordinator.stateReader.liveState(stream: nil, origin: nil)
                let choice = alternates(for: node, topology: snapshot.topology, index: snapshot.index, state: state)
                if choice?.alternates != current {
                    current = choice?.alternates
                    if let choice {
                        let regions = Dictionary(grouping: choice.chosen.keys.sorted()) { choice.chosen[$0] ?? "" }
                        let targets = regions.sorted { $0.key < $1.key }.map { target, clients in
                            "\(target) (clients of \(clients.joined(separator: ", ")))"
                        }
                        logger.notice("TURN: draining: new allocations go to \(targets.joined(separator: "; "))")
                    } else {
                        logger.notice("TURN: draining: no other node with TURN would be chosen: allocations stay here")
                    }
                    loop.post { [current] in relay.redirectAllocations(to: current) }
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
