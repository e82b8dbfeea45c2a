import MeshCrypto
import MeshRuntime

extension WorkerMedia {
    /// Creates a publisher session on this worker and the tracks it will publish, each layer
    /// under its mesh SSRC from `meshSSRCs` (keyed by ``MeshTrackCatalog/layerKey(mid:rid:)``).
    func createPublisher(
        id: String, stream: LiveStream, negotiated: NegotiatedSession, credentials: ICECredentials, client: String,
        meshSSRCs: [String: UInt32]
    ) throws -> [PublishedTrack] {
        let transport = try makeTransport(negotiated: negotiated, credentials: credentials)
        var shared: [PublishedTrack] = []
        var states: [PublisherTrackState] = []
        for media in negotiated.media {
            guard let codec = media.codecs.first else { continue }
            let rids = media.simulcastRIDs.isEmpty ? [""] : media.simulcastRIDs
            // Audio needs far less history than video: a second of Opus is 50 packets.
            let slots = media.kind == .audio ? 256 : 1024
            let layers = rids.enumerated().map { index, rid in
                PublishedLayer(
                    index: index, rid: rid,
                    meshSSRC: meshSSRCs[MeshTrackCatalog.layerKey(mid: media.mid, rid: rid)] ?? 0,
                    history: PacketHistory(capacity: slots), clockRate: codec.clockRate)
            }
            let track = PublishedTrack(
                mid: media.mid, kind: media.kind, codec: codec, layers: layers,
                captureTimeID: media.extensions.absCaptureTime)
            shared.append(track)
            states.append(PublisherTrackState(shared: track, media: media))
        }
        let state = PublisherState(
            negotiated: negotiated, tracks: states, feedbackSSRC: UInt32.random(in: 1...UInt32.max))
        register(
            MediaSession(
                id: id, stream: stream, role: .publisher(state), transport: transport, client: client,
                localUfrag: credentials.ufrag, now: engine.clock.now()))
        return shared
    }

    /// Creates a viewer session on this worker and attaches it to the stream's live tracks.
    func createViewer(
        id: String, stream: LiveStream, negotiated: NegotiatedSession, credentials: ICECredentials, client: String,
        options: ViewerOptions
    ) throws {
        let transport = try makeTransport(negotiated: negotiated, credentials: credentials)
        // Viewers are the many: their DTLS state (about 30 KB each) goes once keyed. Publishers
        // keep theirs, so a publisher's close_notify ends its session at once and it can
        // reconnect without waiting for the alert to be confirmed.
        transport.releasesDTLSStateWhenKeyed = true
        let now = engine.clock.now()
        let state = ViewerState(negotiated: negotiated, options: options, now: now)
        let session = MediaSession(
            id: id, stream: stream, role: .viewer(state), transport: transport, client: client,
            localUfrag: credentials.ufrag, now: now)
        state.tracks = negotiated.media.map { ViewerTrack(session: session, media: $0) }
        register(session)
        viewers.attach(session, state: state, to: engine.registry.currentTracks(of: stream.name), now: now)
    }

    private func makeTransport(negotiated: NegotiatedSession, credentials: ICECredentials) throws -> PeerTransport {
        guard let fingerprint = CertificateFingerprint(sdp: negotiated.remoteFingerprint) else {
            throw SessionRequestError.badOffer("the offer's a=fingerprint is not a valid fingerprint")
        }
        let agent = ICELiteAgent(
            local: credentials,
            remote: ICECredentials(ufrag: negotiated.remoteUfrag, password: negotiated.remotePassword))
        return try PeerTransport(
            agent: agent, certificate: engine.certificate, remoteFingerprint: fingerprint,
            dtlsRole: negotiated.weAreDTLSServer ? .server : .client)
    }

    private func register(_ session: MediaSession) {
        sessionsByID[session.id] = session
        sessionsByUfrag[session.localUfrag] = session
        retime()
    }

    /// Adds a relay link end (``WorkerLinks/add(_:)``); the tick serves it from now on.
    func addLink(_ end: LinkEnd) {
        links.add(end)
        retime()
    }

    /// A stream's tracks were replaced (a publisher came back, a link feeds it now): the local
    /// viewers and the links forwarding it follow the new tracks (`newPublisher`: see
    /// ``WorkerLinks/follow(_:to:newPublisher:)``).
    func follow(_ stream: LiveStream, to tracks: [PublishedTrack], newPublisher: Bool = false) {
        let now = engine.clock.now()
        for session in sessionsByID.values where session.stream === stream {
            if case .viewer(let state) = session.role { viewers.attach(session, state: state, to: tracks, now: now) }
        }
        links.follow(stream, to: tracks, newPublisher: newPublisher)
        taps.follow(stream, to: tracks)
    }

    /// ICE restart (RFC 8445 §9): new local credentials, the session keeps its DTLS and SRTP.
    func restartICE(id: String, local: ICECredentials, remote: ICECredentials) -> String? {
        guard let session = sessionsByID[id] else { return nil }
        session.transport.agent?.restart(local: local, remote: remote)
        sessionsByUfrag[session.localUfrag] = nil
        session.localUfrag = local.ufrag
        sessionsByUfrag[local.ufrag] = session
        session.iceGeneration += 1
        logger.info("ICE restart", metadata: ["session": "\(id)", "stream": "\(session.stream.name)"])
        return session.tag
    }

    /// Ends a session: close_notify to the peer, out of every table, the stream told.
    @discardableResult
    func closeSession(id: String, reason: String) -> Bool {
        guard let session = sessionsByID.removeValue(forKey: id) else { return false }
        session.isClosed = true
        session.transport.close(send: sendControl)
        sessionsByUfrag[session.localUfrag] = nil
        for address in session.knownAddresses where sessionsByAddress[address] === session {
            sessionsByAddress[address] = nil
        }
        switch session.role {
        case .publisher:
            if engine.registry.publisherEnded(session.stream.name, session: id, now: engine.clock.now()) {
                engine.emit(.streamUnpublished(session.stream.name))
            }
        case .viewer(let state):
            viewers.detach(state)
            engine.registry.viewerEnded(session.stream.name, session: id, now: engine.clock.now())
        }
        engine.sessionEnded(id: id)
        let tenths = (engine.clock.now() &- session.createdAt) / 100_000_000
        logger.info(
            "\(session.role.name) session ended: \(reason)",
            metadata: [
                "session": "\(id)", "stream": "\(session.stream.name)", "client": "\(session.client)",
                "duration": "\(tenths / 10).\(tenths % 10)s",
            ])
        return true
    }

    func closeAllSessions(reason: String) {
        for id in Array(sessionsByID.keys) { closeSession(id: id, reason: reason) }
        links.closeAll(reason: reason)
    }

    /// DTLS finished: a viewer asks for keyframes of what it will show, so it gets a picture
    /// without waiting for the publisher's next one.
    func sessionConnected(_ session: MediaSession) {
        guard case .viewer(let state) = session.role else { return }
        for track in state.tracks where track.source?.kind == .video {
            track.source?.wantKeyframe(layer: track.forwarder?.targetLayer ?? 0)
        }
    }
}
