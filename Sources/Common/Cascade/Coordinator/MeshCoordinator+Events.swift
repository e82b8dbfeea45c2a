import MeshCluster
import MeshRTC

/// What the coordinator does when the data plane reports something, and once a second.
extension MeshCoordinator {
    /// Handles one data plane event.
    func handle(_ event: MeshDataEvent) async {
        switch event {
        case .streamPublished(let record):
            await directorySync.streamPublished(record)
        case .streamUnpublished(let stream):
            // The publisher may return within its grace period; the duty unregisters once the
            // data plane forgets the stream.
            logger.debug("mesh: publisher of '\(stream)' left")
        case .upstreamLinkDown(let link, let upstream, let streams):
            await upstreamLinkDown(link, upstream: upstream, streams: streams)
        case .downstreamLinkDown(let link, let downstream):
            logger.info("mesh: link \(link) to \(downstream) went silent and was closed")
        case .downstreamLinkQuiet(let link, let downstream):
            await liveness.linkWentSilent(link, peer: downstream)
        }
    }

    /// Leaves `upstream` out for a while, drops the dead link and finds every stream it
    /// carried a new path; viewers stay connected, since the data plane keeps the tracks.
    /// Meanwhile checks whether `upstream` is gone for the whole mesh.
    private func upstreamLinkDown(_ link: String, upstream: String, streams: [String]) async {
        let records = await carrier.dropLostUpstream(link, upstream: upstream, streams: streams)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.liveness.linkWentSilent(link, peer: upstream) }
            for record in records {
                group.addTask { await self.carrier.timedRepath(record, from: upstream) }
            }
        }
    }

    /// One round of the once-a-second duties at monotonic instant `now` (tests pass instants
    /// of their own): keep Redis in step with what this node carries, drop what nobody needs,
    /// and move streams off draining upstreams.
    func performDuties(now: ContinuousClock.Instant) async {
        let status = await dataPlane.meshStatus()
        await directorySync.refresh(status)
        await limits.refreshClaims(status)
        await limits.reportViewers(status)
        await carrier.unsubscribeIdleStreams(status, now: now)
        await carrier.handOffDrainingUpstreams(status)
        await carrier.closeIdleLinks(status, now: now)
        await nodeReporter.report(status, now: now)
    }
}
