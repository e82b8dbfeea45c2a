import MeshRuntime

extension WorkerMedia {
    // MARK: Timers

    /// The tick's period: it runs at the end of the first wake-up the loop has anyway (a
    /// receive batch, an inbox drain) once this long has passed since the last tick.
    static let tickInterval: UInt64 = 20
    /// When no wake-up comes, the timer runs the tick this long (ms) after the last one. Each
    /// tick pushes the timer back, so a worker fed more often than every 10 ms never wakes for
    /// its timer alone: in a VM a wake-up costs tens of µs of scheduling, as much as forwarding
    /// a few packets, and at 50 viewers the timer's 50 a second per worker were a third of them.
    static let tickTimeout: UInt64 = 30
    /// The timer's period while no session and no link end is here: such a worker's tick only
    /// expires streams (worker 0, once a second) and shows `/health/live` that the loop turns
    /// (``NodeLiveness/stallLimitSeconds``: 5). At ``tickTimeout`` its 33 wake-ups a second
    /// were about 1 ms of CPU a second per idle worker, nearly all of it scheduling.
    static let idleTickTimeout: UInt64 = 1000

    /// Runs the timer every ``tickTimeout`` while sessions or link ends are here, every
    /// ``idleTickTimeout`` otherwise. The end of each tick calls it (the last session or link
    /// gone), and so does whatever adds one, so a new session's first tick is 30 ms away.
    func retime() {
        let period = sessionsByID.isEmpty && links.isEmpty ? Self.idleTickTimeout : Self.tickTimeout
        guard period != timerPeriod, let timer else { return }
        timerPeriod = period
        do {
            try timer.start(afterMilliseconds: period, repeatingEvery: period) { [unowned self] in
                tick(now: engine.clock.now())
            }
        } catch {
            logger.error("could not restart the tick timer: \(error)")
        }
    }

    /// Runs the tick when its period has passed; the end of every wake-up calls it.
    func tickIfDue() {
        let now = engine.clock.now()
        guard now &- lastTick >= Self.tickInterval * 1_000_000 else { return }
        tick(now: now)
        timer?.postpone()
    }

    /// Every 20 ms (at most 30; every second with nothing here): DTLS retransmissions, consent
    /// freshness, feedback to publishers, reports and layer choices for viewers. Once a second
    /// the slow duties run too.
    func tick(now: UInt64) {
        lastTick = now
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
        retime()
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
