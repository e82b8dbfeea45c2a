import MeshCluster
import MeshRTC

/// What the coordinator does when the data plane reports something.
extension MeshCoordinator {
    /// Handles one data plane event.
    func handle(_ event: MeshDataEvent) async {
        switch event {
        case .streamPublished(let record):
            state.withLock { _ = $0.publishedHere.insert(record.name) }
            // A failure is repaired by the once-a-second duty, which registers again.
            do throws(RedisError) {
                try await directory.register(record)
                try await directory.addCarrier(stream: record.name, node: nodeID, now: Self.wallMilliseconds())
            } catch {
                logger.info("mesh: registering '\(record.name)' failed (\(error)); retrying every second")
            }
        case .streamUnpublished(let stream):
            // The publisher may return within its grace period; the duty unregisters once the
            // data plane forgets the stream.
            logger.debug("mesh: publisher of '\(stream)' left")
        case .upstreamLinkDown(let link, let upstream, let streams):
            await upstreamLinkDown(link, upstream: upstream, streams: streams)
        case .downstreamLinkDown(let link, let downstream):
            logger.info("mesh: link \(link) to \(downstream) went silent and was closed")
        case .downstreamLinkQuiet(let link, let downstream):
            await linkWentSilent(link, peer: downstream)
        }
    }

    /// Leaves `upstream` out for a while, drops the dead link and finds every stream it
    /// carried a new path; viewers stay connected, since the data plane keeps the tracks.
    /// Meanwhile checks whether `upstream` is gone for the whole mesh.
    private func upstreamLinkDown(_ link: String, upstream: String, streams: [String]) async {
        markFailed(upstream)
        _ = await dataPlane.closeLink(link, reason: "upstream \(upstream) went silent")
        let carried = await dataPlane.meshStatus().streams
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.linkWentSilent(link, peer: upstream) }
            for stream in streams {
                guard let record = carried.first(where: { $0.record.name == stream })?.record else {
                    logger.info("mesh: '\(stream)' from \(upstream) is no longer carried here; not re-pathed")
                    continue
                }
                group.addTask { await self.timedRepath(record, from: upstream) }
            }
        }
    }

    /// Re-paths one stream away from `old`, logging and keeping how long it took.
    func timedRepath(_ record: StreamRecord, from old: String) async {
        let clock = ContinuousClock()
        let started = clock.now
        let result = await repath(record.name, record: record, avoiding: [old])
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        switch result {
        case .success(let new):
            state.withLock { $0.lastRepathSeconds = seconds }
            let milliseconds = Int((seconds * 1000).rounded())
            logger.notice("re-pathed \(record.name) from \(old) to \(new) in \(milliseconds) ms")
        case .failure(let failure):
            logger.warning("mesh: re-pathing \(record.name) away from \(old) failed: \(failure)")
        }
    }
}
