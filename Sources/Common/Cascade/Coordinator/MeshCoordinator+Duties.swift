import MeshCluster
import MeshRTC

/// The once-a-second duties: keep Redis in step with what this node carries, drop what
/// nobody needs, and move streams off draining upstreams.
extension MeshCoordinator {
    /// One round of duties at monotonic instant `now` (tests pass instants of their own).
    func performDuties(now: ContinuousClock.Instant) async {
        let status = await dataPlane.meshStatus()
        await refreshDirectory(status)
        await refreshClaims(status)
        await reportViewers(status)
        await unsubscribeIdleStreams(status, now: now)
        await handOffDrainingUpstreams(status)
        await closeIdleLinks(status, now: now)
    }

    /// (a) Every carried stream is listed as carried here, records of streams published here
    /// are written again (so all of it returns after a Redis restart), and streams published
    /// here that ended are removed.
    private func refreshDirectory(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let wall = Self.wallMilliseconds()
        do throws(RedisError) {
            for stream in status.streams where stream.source != .none {
                if stream.source == .publisher {
                    state.withLock { _ = $0.publishedHere.insert(stream.record.name) }
                    try await directory.register(stream.record)
                }
                try await directory.addCarrier(stream: stream.record.name, node: nodeID, now: wall)
            }
            let carried = Set(status.streams.map(\.record.name))
            let ended = state.withLock { $0.publishedHere.subtracting(carried) }
            for stream in ended.sorted() {
                try await directory.unregister(stream)
                state.withLock { _ = $0.publishedHere.remove(stream) }
                logger.info("mesh: '\(stream)' ended; unregistered")
            }
        } catch {
            logger.debug("mesh: refreshing the stream directory failed: \(error)")
        }
    }

    /// (b) A stream received here that nobody watched or fed onwards for the topology's
    /// `edge.unsubscribe_after_seconds` is unsubscribed upstream and dropped.
    private func unsubscribeIdleStreams(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let due = state.withLock { state -> [CarriedStreamSnapshot] in
            let after = Duration.seconds(state.topology.edge.unsubscribeAfterSeconds)
            var idle: [String: ContinuousClock.Instant] = [:]
            var due: [CarriedStreamSnapshot] = []
            for stream in status.streams
            where stream.source != .publisher && stream.viewers == 0 && stream.downstreamLinks.isEmpty {
                let since = state.idleStreamsSince[stream.record.name] ?? now
                idle[stream.record.name] = since
                if since.duration(to: now) >= after { due.append(stream) }
            }
            state.idleStreamsSince = idle
            return due
        }
        for stream in due where !carrying.isRunning(stream.record.name) {
            let name = stream.record.name
            if case .link(let link, let upstream) = stream.source, let base = apiBase(of: upstream) {
                try? await api.unsubscribe(apiBase: base, link: link, stream: name)
            }
            await dataPlane.stopReceiving(stream: name)
            state.withLock { _ = $0.idleStreamsSince.removeValue(forKey: name) }
            if redis.isAvailable { try? await directory.removeCarrier(stream: name, node: nodeID) }
            logger.info("mesh: '\(name)' had no viewer and no downstream link; unsubscribed")
        }
    }

    /// (c) Streams coming from an upstream that is being drained move to another path: the
    /// new link is subscribed and takes the tracks before the old subscription is dropped.
    private func handOffDrainingUpstreams(_ status: MeshDataStatus) async {
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
            guard state.withLock({ $0.handingOff.insert(link.id).inserted }) else { continue }
            let base = apiBase(of: link.peerNode)
            var everyStreamMoved = true
            for stream in link.streams {
                // A stream rooted at the draining node has nowhere else to come from.
                guard let record = status.streams.first(where: { $0.record.name == stream })?.record,
                    record.originNode != link.peerNode
                else {
                    everyStreamMoved = false
                    continue
                }
                switch await repath(stream, record: record, avoiding: [link.peerNode]) {
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
            state.withLock { _ = $0.handingOff.remove(link.id) }
        }
    }

    /// (d) Links that carried nothing for a while are closed; for a receiving end the
    /// upstream is told, so it frees its end at once.
    private func closeIdleLinks(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let due = state.withLock { state -> [LinkSnapshot] in
            var idle: [String: ContinuousClock.Instant] = [:]
            var due: [LinkSnapshot] = []
            for link in status.links where link.streams.isEmpty {
                let since = state.idleLinksSince[link.id] ?? now
                idle[link.id] = since
                let timeout = link.end == .downstream ? Self.idleLinkTimeout : Self.idleUpstreamEndTimeout
                if since.duration(to: now) >= timeout { due.append(link) }
            }
            state.idleLinksSince = idle
            return due
        }
        // A subscription under way may be about to use an idle link: wait for the next round.
        guard !due.isEmpty, carrying.isIdle else { return }
        for link in due {
            _ = await dataPlane.closeLink(link.id, reason: "idle")
            if link.end == .downstream, let base = apiBase(of: link.peerNode) {
                try? await api.closeLink(apiBase: base, link: link.id)
            }
            state.withLock { _ = $0.idleLinksSince.removeValue(forKey: link.id) }
            logger.info("mesh: link \(link.id) with \(link.peerNode) carried nothing; closed")
        }
    }
}
