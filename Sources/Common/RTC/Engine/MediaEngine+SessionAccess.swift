/// `DELETE`, `PATCH` and the ETag of existing sessions. Every one of them finds its session
/// through ``MediaEngine/worker(at:)``, which answers only when the id, the stream and the role
/// all match, so no route can reach a session by its id alone.
extension MediaEngine {
    public func endSession(_ address: SessionAddress, reason: String) async -> Bool {
        guard let media = worker(at: address) else { return false }
        return (try? await media.loop.run { media.closeSession(id: address.id, reason: reason) }) ?? false
    }

    public func patchSession(_ address: SessionAddress, fragment: String) async throws(SessionRequestError)
        -> SessionPatchResult
    {
        guard let media = worker(at: address) else { throw .unknownSession }
        let id = address.id
        let update: TrickleICEUpdate
        do {
            update = try negotiator.readTrickleFragment(fragment)
        } catch {
            throw .badOffer(error.description)
        }
        let currentRemoteUfrag =
            (try? await media.loop.run { media.sessionsByID[id]?.transport.agent?.remoteCredentials?.ufrag }) ?? nil
        guard let currentRemoteUfrag else { throw .unknownSession }
        // An ICE-lite node learns the client's addresses from its checks: trickled candidates
        // need no action, and only new credentials (an ICE restart, RFC 8445 §9) change anything.
        guard update.isRestart(currentRemoteUfrag: currentRemoteUfrag) else { return .trickled }
        let local = ICECredentials.generate()
        let answer: ICERestartAnswer
        do {
            answer = try negotiator.restartAnswerFragment(
                fragment: fragment, localUfrag: local.ufrag, localPassword: local.password,
                candidates: [LocalCandidate(ip: configuration.announceIP, port: media.port)])
        } catch {
            throw .badOffer(error.description)
        }
        let remote = ICECredentials(ufrag: answer.remoteUfrag, password: answer.remotePassword)
        let tag = (try? await media.loop.run { media.restartICE(id: id, local: local, remote: remote) }) ?? nil
        guard let tag else { throw .unknownSession }
        return .restarted(fragment: answer.fragment, tag: tag)
    }

    public func sessionTag(_ address: SessionAddress) async -> String? {
        guard let media = worker(at: address) else { return nil }
        return (try? await media.loop.run { media.sessionsByID[address.id]?.tag }) ?? nil
    }

    public func liveSessionIDs(among ids: [String]) async -> Set<String> {
        sessions.withLock { sessions in Set(ids.filter { sessions[$0] != nil }) }
    }

    /// The worker that owns session `id`, or `nil` when no such session lives here. Any thread.
    public func worker(ofSession id: String) -> Int? {
        sessions.withLock { $0[id]?.worker }
    }

    /// Worker `index`'s media port (its sessions' ICE candidate port).
    public func mediaPort(ofWorker index: Int) -> UInt16 { workers[index].port }

    /// Chooses the worker of a new session and records it there (``SessionPlaces``), so that
    /// ``worker(at:)`` finds it from now on; a session that is then not created must be
    /// forgotten (``forgetPlace(of:)``).
    func place(_ address: SessionAddress) -> WorkerMedia {
        workers[sessions.withLock { $0.place(address) }]
    }

    /// Forgets where session `id` lives: it ended, or its creation failed.
    func forgetPlace(of id: String) {
        sessions.withLock { _ = $0.remove(id: id) }
    }

    /// The worker owning the session at `address`, or `nil` when there is no session with that
    /// id or it belongs to another stream or role: the two answer the same, so a request under
    /// the wrong path learns nothing about the id.
    func worker(at address: SessionAddress) -> WorkerMedia? {
        let place = sessions.withLock { $0[address.id] }
        guard let place, place.stream == address.stream, place.role == address.role else { return nil }
        return workers[place.worker]
    }
}
