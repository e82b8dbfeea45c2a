import MeshCluster
import MeshControl
import MeshRTC

/// Joining this node to a stream's relay tree: pick the upstream, reuse or open the link to
/// it, subscribe there, take the tracks here.
extension MeshCoordinator {
    /// Makes sure this node has `stream`'s tracks, subscribing upstream if it has not.
    /// Returns the upstream node now feeding it (this node's id when it already had them).
    func ensureCarrying(_ stream: String, record: StreamRecord? = nil) async -> Result<String, CarryFailure> {
        if !carrying.isRunning(stream), await dataPlane.carriedStream(stream) != nil { return .success(nodeID) }
        return await carrying.run(stream) {
            if await self.dataPlane.carriedStream(stream) != nil { return .success(self.nodeID) }
            return await self.carry(stream, record: record, avoiding: [])
        }
    }

    /// Gets `stream` over a new path even though the data plane still lists it (its upstream
    /// went down or is draining), never through the nodes in `avoiding`. The data plane moves
    /// the tracks to the new link, so viewers keep their sessions.
    func repath(_ stream: String, record: StreamRecord, avoiding: Set<String>) async -> Result<String, CarryFailure> {
        await carrying.run(stream) { await self.carry(stream, record: record, avoiding: avoiding) }
    }

    /// Up to ``maximumTries`` upstreams, each chosen afresh without the ones that failed.
    private func carry(_ stream: String, record given: StreamRecord?, avoiding: Set<String>) async
        -> Result<String, CarryFailure>
    {
        let record: StreamRecord
        switch await streamRecord(stream, given: given) {
        case .success(let found): record = found
        case .failure(let failure): return .failure(failure)
        }
        // An origin gets a stream from its publisher only; with the publisher gone there is
        // nowhere to fetch it from.
        guard record.originNode != nodeID else { return .failure(.unknownStream(stream)) }
        var excluded = avoiding
        var problems: [String] = []
        for _ in 0..<Self.maximumTries {
            let upstream: String
            switch await chooseUpstream(for: record, excluding: excluded) {
            case .success(let node): upstream = node
            case .failure(let failure):
                problems.append(failure.description)
                return .failure(.unavailable(problems.joined(separator: "; ")))
            }
            switch await join(record, from: upstream) {
            case .success: return .success(upstream)
            case .failure(let failure):
                if case .unreachable = failure { markFailed(upstream) }
                logger.warning("mesh: joining '\(stream)' through \(upstream) failed: \(failure)")
                problems.append(failure.description)
                excluded.insert(upstream)
            }
        }
        return .failure(.unavailable("could not join '\(stream)': \(problems.joined(separator: "; "))"))
    }

    /// The record handed in, else the one in Redis.
    private func streamRecord(_ stream: String, given: StreamRecord?) async -> Result<StreamRecord, CarryFailure> {
        if let given { return .success(given) }
        guard redis.isAvailable else {
            return .failure(
                .unavailable("stream '\(stream)' is not carried here and its record needs Redis, which is unreachable"))
        }
        do throws(RedisError) {
            guard let record = try await directory.lookup(stream) else { return .failure(.unknownStream(stream)) }
            return .success(record)
        } catch {
            return .failure(.unavailable("reading stream '\(stream)' from Redis failed: \(error)"))
        }
    }

    /// The hop before this node: from the path planner over the live state when Redis
    /// answers, else from the topology alone.
    func chooseUpstream(for record: StreamRecord, excluding: Set<String>) async -> Result<String, CarryFailure> {
        let now = ContinuousClock.now
        let (index, failed) = state.withLock { state in
            (state.index, Set(state.failedUntil.filter { now < $0.value }.keys))
        }
        let avoid = excluding.union(failed)
        if redis.isAvailable {
            do {
                var live = try await liveState(stream: record.name, origin: record.originNode)
                // The origin stays the root even when its link to this node failed; only
                // other nodes are taken out of the graph.
                for node in avoid where node != record.originNode { live.nodes[node] = NodeLoad(alive: false) }
                // Plan as if this node were not in the tree yet, nor anything it feeds.
                let downstream = Set(await dataPlane.meshStatus().links.filter { $0.end == .upstream }.map(\.peerNode))
                live.streams[record.name]?.carriers.subtract(downstream.union([nodeID]))
                let path = try PathPlanner(index: index).plan(stream: record.name, to: nodeID, state: live)
                guard path.hops.count >= 2 else {
                    return .failure(.unavailable("the path for '\(record.name)' has no hop before \(nodeID)"))
                }
                let upstream = path.hops[path.hops.count - 2]
                guard avoid.contains(upstream) else { return .success(upstream) }
                // The planner knows no link exclusions: when it keeps the failed origin link,
                // the topology names the next upstream.
            } catch let failure as PlacementFailure {
                return .failure(.unavailable(failure.reason))
            } catch {
                logger.info("mesh: Redis failed while planning '\(record.name)' (\(error)); using the topology")
            }
        }
        return topologyUpstream(for: record, avoiding: avoid, index: index)
    }

    /// Without Redis: this node's allowed upstreams, the stream's origin first, then nearest
    /// region first, then file order.
    func topologyUpstream(for record: StreamRecord, avoiding: Set<String>, index: PlacementIndex)
        -> Result<String, CarryFailure>
    {
        let topology = index.topology
        guard let me = topology.node(id: nodeID) else {
            return .failure(.unavailable("node \(nodeID) is not in the topology"))
        }
        var seen: Set<String> = []
        var candidates: [(id: String, isOrigin: Bool, milliseconds: Double, position: Int)] = []
        for (position, rule) in topology.links.enumerated() where rule.to == nodeID && rule.from != nodeID {
            guard !avoiding.contains(rule.from), seen.insert(rule.from).inserted,
                let node = topology.node(id: rule.from)
            else { continue }
            candidates.append(
                (
                    rule.from, rule.from == record.originNode,
                    index.distances.milliseconds(from: me.region, to: node.region), position
                ))
        }
        candidates.sort { l, r in
            if l.isOrigin != r.isOrigin { return l.isOrigin }
            if l.milliseconds != r.milliseconds { return l.milliseconds < r.milliseconds }
            return l.position < r.position
        }
        guard let first = candidates.first else {
            return .failure(.unavailable("no allowed upstream of \(nodeID) is left to try for '\(record.name)'"))
        }
        return .success(first.id)
    }

    /// Subscribes `record` on `upstream` over this node's link from it and takes the tracks.
    private func join(_ record: StreamRecord, from upstream: String) async -> Result<String, CarryFailure> {
        guard let base = apiBase(of: upstream) else {
            return .failure(.unavailable("upstream \(upstream) is not in the topology"))
        }
        let link: String
        switch await ensureLink(to: upstream, apiBase: base) {
        case .success(let id): link = id
        case .failure(let failure): return .failure(failure)
        }
        do throws(InternalAPIFailure) {
            try await api.subscribe(apiBase: base, link: link, RelaySubscriptionRequest(record: record))
        } catch {
            switch error {
            case .unreachable(let reason):
                _ = await dataPlane.closeLink(link, reason: "upstream \(upstream) unreachable")
                return .failure(.unreachable(node: upstream, reason: reason))
            case .rejected(404, _):
                // The upstream may have forgotten the link (restarted): do not reuse it.
                _ = await dataPlane.closeLink(link, reason: "upstream \(upstream) refused a subscription")
                return .failure(.unavailable("\(upstream) refused '\(record.name)': \(error)"))
            default:
                return .failure(.unavailable("\(upstream) refused '\(record.name)': \(error)"))
            }
        }
        do throws(LinkError) {
            try await dataPlane.receive(record, overLink: link)
        } catch {
            try? await api.unsubscribe(apiBase: base, link: link, stream: record.name)
            return .failure(.unavailable("receiving '\(record.name)' over \(link) failed: \(error)"))
        }
        return .success(link)
    }

    /// This node's receiving link from `upstream`: the existing one, else a new one.
    func ensureLink(to upstream: String, apiBase base: String) async -> Result<String, CarryFailure> {
        await linking.run(upstream) {
            let links = await self.dataPlane.meshStatus().links
            if let existing = links.first(where: { $0.end == .downstream && $0.peerNode == upstream }) {
                return .success(existing.id)
            }
            let request: LinkSetupRequest
            do throws(LinkError) {
                request = try await self.dataPlane.prepareUpstreamLink(to: upstream)
            } catch {
                return .failure(.unavailable("no link to \(upstream) can be prepared: \(error)"))
            }
            let accepted: LinkSetupResponse
            do throws(InternalAPIFailure) {
                accepted = try await self.api.openLink(apiBase: base, request)
            } catch {
                if case .unreachable(let reason) = error {
                    return .failure(.unreachable(node: upstream, reason: reason))
                }
                return .failure(.unavailable("\(upstream) refused a link: \(error)"))
            }
            do throws(LinkError) {
                let id = try await self.dataPlane.openUpstreamLink(request, accepted: accepted)
                self.logger.info("mesh: link \(id) from \(upstream) open")
                return .success(id)
            } catch {
                try? await self.api.closeLink(apiBase: base, link: accepted.linkID)
                return .failure(.unavailable("opening link \(accepted.linkID) from \(upstream) failed: \(error)"))
            }
        }
    }
}
