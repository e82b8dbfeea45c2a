import MeshCluster
import MeshRTC

/// Moving streams to a new path: away from an upstream whose link went down, and off an
/// upstream that is being drained (make before break).
extension StreamCarrier {
    /// Leaves `upstream` out of new paths for a while and drops the dead `link`. Returns the
    /// records of the streams it fed that this node still carries, to be re-pathed: the data
    /// plane kept their tracks, so their viewers stay connected.
    func dropLostUpstream(_ link: String, upstream: String, streams: [String]) async -> [StreamRecord] {
        upstreams.markFailed(upstream)
        _ = await dataPlane.closeLink(link, reason: "upstream \(upstream) went silent")
        let carried = await dataPlane.meshStatus().streams
        return streams.compactMap { stream in
            guard let record = carried.first(where: { $0.record.name == stream })?.record else {
                logger.info("mesh: '\(stream)' from \(upstream) is no longer carried here; not re-pathed")
                return nil
            }
            return record
        }
    }

    /// Re-paths one stream away from `old`, logging and keeping how long it took.
    func timedRepath(_ record: StreamRecord, from old: String) async {
        let clock = ContinuousClock()
        let started = clock.now
        let result = await repath(record.name, record: record, avoiding: [old])
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let milliseconds = Int((seconds * 1000).rounded())
        switch result {
        case .success(let new):
            memory.withLock { $0.lastRepathSeconds = seconds }
            logger.notice("re-pathed \(record.name) from \(old) to \(new) in \(milliseconds) ms")
        case .failure(let failure):
            logger.warning("mesh: re-pathing \(record.name) away from \(old) failed: \(failure)")
        }
        await recordMove(record.name, from: old, result: result, cause: .upstreamLost, milliseconds: milliseconds)
    }

    /// Adds a stream's move to the mesh's failover log (`GET /v1/mesh` shows it). Best effort:
    /// with Redis away the move happened all the same, and only its record is lost.
    func recordMove(
        _ stream: String, from old: String, result: Result<String, CarryFailure>, cause: FailoverRecord.Cause,
        milliseconds: Int
    ) async {
        guard redis.isAvailable else { return }
        var record = FailoverRecord(
            at: WallClock.milliseconds(), node: nodeID, stream: stream, from: old, to: nil, cause: cause,
            milliseconds: milliseconds)
        switch result {
        case .success(let new): record.to = new
        case .failure(let failure): record.failure = "\(failure)"
        }
        do {
            try await failovers.record(record)
        } catch {
            logger.debug("mesh: could not log the move of '\(stream)' from \(old): \(error)")
        }
    }

    /// (duty) Streams coming from an upstream that is being drained move to another path: the
    /// new link is subscribed and takes the tracks before the old subscription is dropped.
    func handOffDrainingUpstreams(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let receiving = status.links.filter { $0.end == .downstream && !$0.streams.isEmpty }
        guard !receiving.isEmpty else { return }
        let draining: Set<String>
        do throws(RedisError) {
            draining = Set(try await registry.nodes().filter(\.draining).map(\.id))
        } catch {
            return
        }
        for link in receiving where draining.contains(link.peerNode) {
            guard memory.withLock({ $0.handingOff.insert(link.id).inserted }) else { continue }
            let base = topology.apiBase(of: link.peerNode)
            var everyStreamMoved = true
            for stream in link.streams {
                // A stream rooted at the draining node has nowhere else to come from.
                guard let record = status.streams.first(where: { $0.record.name == stream })?.record,
                    record.originNode != link.peerNode
                else {
                    everyStreamMoved = false
                    continue
                }
                let started = ContinuousClock.now
                let result = await repath(stream, record: record, avoiding: [link.peerNode])
                let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
                await recordMove(
                    stream, from: link.peerNode, result: result, cause: .upstreamDraining,
                    milliseconds: Int(elapsed.rounded()))
                switch result {
                case .success(let new):
                    if let base { try? await api.unsubscribe(apiBase: base, link: link.id, stream: stream) }
                    logger.notice("mesh: handed '\(stream)' off draining \(link.peerNode) to \(new)")
                case .failure(let failure):
                    everyStreamMoved = false
                    logger.warning("mesh: cannot move '\(stream)' off draining \(link.peerNode): \(failure)")
                }
            }
            if everyStreamMoved {
                _ = await dataPlane.closeLink(link.id, reason: "upstream \(link.peerNode) is draining")
                if let base { try? await api.closeLink(apiBase: base, link: link.id) }
            }
            memory.withLock { _ = $0.handingOff.remove(link.id) }
        }
    }
}
