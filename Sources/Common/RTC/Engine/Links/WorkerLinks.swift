import Logging
import MeshRuntime

/// The link ends one worker owns: sending ends forward tracks (as ``LinkConsumer``s of the
/// worker's router), receiving ends feed tracks into it (link ingest, a producer). Worker thread
/// only; traffic and timers are in `WorkerLinks+Traffic.swift`.
final class WorkerLinks {
    let output: WorkerOutput
    let router: TrackRouter
    unowned let engine: MediaEngine
    let logger: Logger
    /// By the peer's address (the demultiplexer's key) and by id.
    private(set) var byAddress: [SocketAddress: LinkEnd] = [:]
    private(set) var byID: [String: LinkEnd] = [:]

    init(output: WorkerOutput, router: TrackRouter, engine: MediaEngine, logger: Logger) {
        self.output = output
        self.router = router
        self.engine = engine
        self.logger = logger
    }

    var isEmpty: Bool { byID.isEmpty }

    // MARK: Ends

    /// Adds a link end owned by this worker.
    func add(_ end: LinkEnd) {
        if let existing = byAddress[end.peer] { close(existing, reason: "replaced by link \(end.id)") }
        if case .sending(let sending) = end.half {
            sending.consumer = LinkConsumer(end: end, sending: sending, trace: engine.trace)
        }
        byAddress[end.peer] = end
        byID[end.id] = end
    }

    /// Closes a link end: its forwardings stop, the streams it fed keep their tracks (until the
    /// coordinator feeds them over another link or drops them).
    func close(_ end: LinkEnd, reason: String) {
        byID[end.id] = nil
        if byAddress[end.peer] === end { byAddress[end.peer] = nil }
        switch end.half {
        case .sending(let sending):
            for name in Array(sending.streams.keys) { stopForwarding(name, on: end, sending: sending) }
        case .receiving(let receiving):
            receiving.routes.removeAll()
            engine.registry.linkLost(end.id)
        }
        engine.linkEnded(end.id)
        logger.info(
            "relay link \(end.id) (\(end.half.endName) end, peer \(end.peerNode) at \(end.peer)) closed: \(reason)")
    }

    func closeAll(reason: String) {
        for end in Array(byID.values) { close(end, reason: reason) }
    }

    // MARK: Sending ends (link egress)

    /// Starts forwarding `ssrcs` of `stream`'s `tracks` on `end`; `continuingNumbering` when the
    /// tracks are a new source of SSRCs `end` forwarded before (``LinkTrackNumbering``).
    func startForwarding(
        stream: LiveStream, tracks: [PublishedTrack], ssrcs: Set<UInt32>, on end: LinkEnd,
        continuingNumbering: Bool = false
    ) throws(LinkError) {
        guard case .sending(let sending) = end.half, let consumer = sending.consumer else {
            throw .invalid("link \(end.id) does not send from here")
        }
        if sending.streams[stream.name] != nil { stopForwarding(stream.name, on: end, sending: sending) }
        var forwarded: [PublishedTrack] = []
        for track in tracks {
            let layers = track.layers.filter { ssrcs.contains($0.meshSSRC) }
            guard !layers.isEmpty else { continue }
            for layer in layers {
                // The link's sender reports carry the publisher's clock of each layer on.
                sending.sender.subscribe(
                    ssrc: layer.meshSSRC, history: layer.history, continuingNumbering: continuingNumbering
                ) { layer.senderReport.withLock { $0.mapping } }
                sending.layersBySSRC[layer.meshSSRC] = layer
            }
            router.add(consumer, of: track, layers: layers.reduce(0) { $0 | 1 << UInt64($1.index) })
            forwarded.append(track)
        }
        guard !forwarded.isEmpty else { throw .invalid("none of the requested SSRCs belong to '\(stream.name)'") }
        sending.streams[stream.name] = (stream, forwarded)
        // The downstream node needs a picture now, not at the publisher's next key frame.
        for track in forwarded where track.kind == .video {
            for layer in track.layers where ssrcs.contains(layer.meshSSRC) {
                layer.keyframeWanted.store(true, ordering: .relaxed)
            }
        }
    }

    /// Stops forwarding `name` on `end`.
    func stopForwarding(_ name: String, on end: LinkEnd, sending: LinkSendingHalf) {
        guard let (_, tracks) = sending.streams.removeValue(forKey: name) else { return }
        for track in tracks {
            if let consumer = sending.consumer { router.remove(consumer, of: track) }
            for layer in track.layers where sending.layersBySSRC[layer.meshSSRC] != nil {
                sending.sender.unsubscribe(ssrc: layer.meshSSRC)
                sending.layersBySSRC[layer.meshSSRC] = nil
            }
        }
    }

    /// A publisher came back with new tracks (same mesh SSRCs): links forwarding the stream
    /// forward the new tracks from now on. `newPublisher`: the tracks carry a new publisher's
    /// numbering, which the links continue from theirs (``LinkTrackNumbering``); tracks fed
    /// over a link keep the origin's numbering, and a gap in it is the next hop's to see.
    func follow(_ stream: LiveStream, to tracks: [PublishedTrack], newPublisher: Bool = false) {
        for end in byID.values {
            guard case .sending(let sending) = end.half, let forwarded = sending.streams[stream.name] else { continue }
            let ssrcs = Set(forwarded.tracks.flatMap { $0.layers.map(\.meshSSRC) })
            stopForwarding(stream.name, on: end, sending: sending)
            try? startForwarding(
                stream: stream, tracks: tracks, ssrcs: ssrcs, on: end, continuingNumbering: newPublisher)
        }
    }

    // MARK: Receiving ends (link ingest)

    /// Feeds `tracks` of `stream` from a receiving link half; `moved`: another link fed them
    /// before (counted in ``PublishedLayer/feedMoves`` ahead of the break it causes).
    func route(
        _ tracks: [PublishedTrack], of stream: LiveStream, into receiving: LinkReceivingHalf, moved: Bool = false
    ) {
        for track in tracks {
            for layer in track.layers {
                if moved { layer.feedMoves.add(1, ordering: .relaxed) }
                // The new feed does not continue the old one's numbering without a gap, and
                // its clock comes with its first sender report (the old feed's may be stale).
                layer.history.markDiscontinuity()
                layer.senderReport.withLock { $0.reset() }
                receiving.receiver.addTrack(ssrc: layer.meshSSRC, codec: track.codec.kind, history: layer.history)
                receiving.routes[layer.meshSSRC] = LinkReceivingHalf.Route(
                    track: track, layer: layer.index, stream: stream, clockGeneration: layer.history.generation)
                // Whatever the viewers here show, they need a key frame from the new path.
                if track.kind == .video { layer.keyframeWanted.store(true, ordering: .relaxed) }
            }
        }
    }

    /// Stops feeding `tracks` from link `linkID` (moved to another link, or dropped).
    func unroute(_ tracks: [PublishedTrack], fromLink linkID: String) {
        guard let end = byID[linkID], case .receiving(let receiving) = end.half else { return }
        for track in tracks {
            for layer in track.layers where receiving.routes[layer.meshSSRC] != nil {
                receiving.routes[layer.meshSSRC] = nil
                receiving.receiver.removeTrack(ssrc: layer.meshSSRC)
            }
        }
    }
}

extension LinkEnd.Half {
    var endName: String {
        switch self {
        case .sending: "upstream"
        case .receiving: "downstream"
        }
    }
}
