import MeshCluster
import MeshRTC

/// Dropping what nobody needs: streams received with no viewer and no downstream link, and
/// links that carry no stream.
extension StreamCarrier {
    /// How long a link this node receives on may carry nothing before it is closed.
    static let idleLinkTimeout = Duration.seconds(30)
    /// How long a link this node sends on may carry nothing before it is closed here. Longer
    /// than ``idleLinkTimeout`` so the downstream end, which closes first and tells this node,
    /// is never caught reusing a link this end just dropped.
    static let idleUpstreamEndTimeout = Duration.seconds(60)

    /// (duty) A stream received here that nobody watched, tapped (a recording) or fed onwards
    /// for the topology's `edge.unsubscribe_after_seconds` is unsubscribed upstream and dropped.
    func unsubscribeIdleStreams(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let after = Duration.seconds(topology.topology.edge.unsubscribeAfterSeconds)
        let due = memory.withLock { memory -> [CarriedStreamSnapshot] in
            var idle: [String: ContinuousClock.Instant] = [:]
            var due: [CarriedStreamSnapshot] = []
            for stream in status.streams
            where stream.source != .publisher && stream.viewers == 0 && stream.taps == 0
                && stream.downstreamLinks.isEmpty
            {
                let since = memory.idleStreamsSince[stream.record.name] ?? now
                idle[stream.record.name] = since
                if since.duration(to: now) >= after { due.append(stream) }
            }
            memory.idleStreamsSince = idle
            return due
        }
        for stream in due where !carrying.isRunning(stream.record.name) {
            let name = stream.record.name
            if case .link(let link, let upstream) = stream.source, let base = topology.apiBase(of: upstream) {
                try? await api.unsubscribe(apiBase: base, link: link, stream: name)
            }
            await dataPlane.stopReceiving(stream: name)
            memory.withLock { _ = $0.idleStreamsSince.removeValue(forKey: name) }
            if redis.isAvailable { try? await directory.removeCarrier(stream: name, node: nodeID) }
            logger.info("mesh: '\(name)' had no viewer and no downstream link; unsubscribed")
        }
    }

    /// (duty) Links that carried nothing for a while are closed; for a receiving end the
    /// upstream is told, so it frees its end at once.
    func closeIdleLinks(_ status: MeshDataStatus, now: ContinuousClock.Instant) async {
        let due = memory.withLock { memory -> [LinkSnapshot] in
            var idle: [String: ContinuousClock.Instant] = [:]
            var due: [LinkSnapshot] = []
            for link in status.links where link.streams.isEmpty {
                let since = memory.idleLinksSince[link.id] ?? now
                idle[link.id] = since
                let timeout = link.end == .downstream ? Self.idleLinkTimeout : Self.idleUpstreamEndTimeout
                if since.duration(to: now) >= timeout { due.append(link) }
            }
            memory.idleLinksSince = idle
            return due
        }
        // A subscription under way may be about to use an idle link: wait for the next round.
        guard !due.isEmpty, carrying.isIdle else { return }
        for link in due {
            _ = await dataPlane.closeLink(link.id, reason: "idle")
            if link.end == .downstream, let base = topology.apiBase(of: link.peerNode) {
                try? await api.closeLink(apiBase: base, link: link.id)
            }
            memory.withLock { _ = $0.idleLinksSince.removeValue(forKey: link.id) }
            logger.info("mesh: link \(link.id) with \(link.peerNode) carried nothing; closed")
        }
    }
}
