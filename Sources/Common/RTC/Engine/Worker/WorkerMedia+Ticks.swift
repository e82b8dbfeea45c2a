import MeshRuntime

extension WorkerMedia {
    // MARK: Timers

    /// Every 20 ms: DTLS retransmissions, consent freshness, feedback to publishers, reports
    /// and layer choices for viewers. Once a second the slow duties run too.
    func tick(now: UInt64) {
        lastTurn.store(now, ordering: .relaxed)
        let slow = now &- lastSlowTick >= .milliseconds(1000)
        if slow { lastSlowTick = now }
        let ntpNow = engine.clock.ntpNow()
        var ended: [(String, String)] = []
        for session in sessionsByID.values {
            switch session.transport.poll(now: now, send: sendControl) {
            case .consentExpired:
                ended.append(
                    (session.id, "no ICE consent (RFC 7675) for \(PeerTransport.consentTimeout / 1_000_000_000) s"))
                continue
            case .failed:
                // After the handshake, only an alert of the peer's (close_notify, with no media
                // after it) fails DTLS: say so, since "handshake failed" sends one looking for
                // certificates or fingerprints.
                let reason =
                    session.isConnected ? "the peer's DTLS alert, and no media after it" : "DTLS handshake failed"
                ended.append((session.id, reason))
                continue
            case .closed:
                ended.append((session.id, "the peer closed DTLS"))
                continue
            case .wait:
                break
            }
            switch session.role {
            case .publisher(let state): publishers.tick(session, state: state, now: now, slow: slow)
            case .viewer(let state): viewers.tick(session, state: state, now: now, ntpNow: ntpNow, slow: slow)
            }
        }
        for (id, reason) in ended { closeSession(id: id, reason: reason) }
        links.tick(now: now, ntpNow: ntpNow, slow: slow)
        output.flush()
        if slow && index == 0 { engine.registry.expire(now: now) }
    }

    // MARK: Snapshots

    func metricsSnapshot() -> (publishers: Int, viewers: Int, counters: WorkerMetrics) {
        var publisherCount = 0
        var viewerCount = 0
        for session in sessionsByID.values {
            if case .publisher = session.role { publisherCount += 1 } else { viewerCount += 1 }
        }
        let now = engine.clock.now()
        let idle = loop.loopIdleTime
        let wall = now &- lastUtilisationSample
        let busy = wall == 0 ? 0 : 1 - min(1, Double(idle &- lastIdleTime) / Double(wall))
        lastUtilisationSample = now
        lastIdleTime = idle
        return (publisherCount, viewerCount, output.counters.snapshot(worker: index, loopUtilisation: busy))
    }
}
