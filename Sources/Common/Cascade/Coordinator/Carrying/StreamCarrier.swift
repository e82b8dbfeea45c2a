import Logging
import MeshCluster
import MeshControl
import MeshRTC
import Synchronization

/// Gets this node the streams it needs and keeps its place in their relay trees: joins a
/// stream's tree (pick the upstream, reuse or open the link to it, subscribe there, take the
/// tracks here), moves streams to a new path when their upstream goes down or drains, and
/// drops streams and links nobody needs.
final class StreamCarrier: Sendable {
    /// How many upstreams one subscription attempt tries.
    static let maximumTries = 3

    /// What the carrier remembers between rounds of duties, and for `/metrics`.
    struct Memory: Sendable {
        /// Received stream → when it was first seen with no viewer and no downstream link.
        var idleStreamsSince: [String: ContinuousClock.Instant] = [:]
        /// Link → when it was first seen carrying no stream.
        var idleLinksSince: [String: ContinuousClock.Instant] = [:]
        /// Downstream-end links being handed off a draining upstream now.
        var handingOff: Set<String> = []
        /// How long the last re-path took, in seconds.
        var lastRepathSeconds: Double?
    }

    /// This node's id.
    let nodeID: String
    let dataPlane: any MeshDataPlane
    let redis: RedisClient
    let api: any InternalAPI
    let registry: NodeRegistry
    let directory: StreamDirectory
    let topology: TopologyInForce
    let upstreams: UpstreamSelector
    let logger: Logger
    let memory = Mutex(Memory())
    /// Where moves to a new upstream are recorded for operators.
    let failovers: FailoverLog
    /// One subscription attempt per stream at a time.
    let carrying = SharedAttempts<String>()
    /// One link set-up per upstream node at a time.
    let linking = SharedAttempts<String>()

    init(
        nodeID: String, dataPlane: any MeshDataPlane, redis: RedisClient, api: any InternalAPI,
        registry: NodeRegistry, directory: StreamDirectory, topology: TopologyInForce, upstreams: UpstreamSelector,
        logger: Logger
    ) {
        self.nodeID = nodeID
        self.dataPlane = dataPlane
        self.redis = redis
        self.api = api
        self.registry = registry
        self.directory = directory
        self.topology = topology
        self.upstreams = upstreams
        self.logger = logger
        failovers = FailoverLog(client: redis)
    }

    /// How long the last re-path took, in seconds; nil before the first.
    var lastRepathSeconds: Double? { memory.withLock { $0.lastRepathSeconds } }

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
            switch await upstreams.chooseUpstream(for: record, excluding: excluded) {
            case .success(let node): upstream = node
            case .failure(let failure):
                problems.append(failure.description)
                return .failure(.unavailable(problems.joined(separator: "; ")))
            }
            switch await join(record, from: upstream) {
            case .success: return .success(upstream)
            case .failure(let failure):
                if case .unreachable = failure { upstreams.markFailed(upstream) }
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

    /// Subscribes `record` on `upstream` over this node's link from it and takes the tracks.
    private func join(_ record: StreamRecord, from upstream: String) async -> Result<String, CarryFailure> {
        guard let base = topology.apiBase(of: upstream) else {
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
    private func ensureLink(to upstream: String, apiBase base: String) async -> Result<String, CarryFailure> {
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
