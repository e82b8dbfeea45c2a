import MeshCrypto
import MeshRuntime
import MeshWire

extension WorkerMedia {
    // MARK: Consumers of a stream (viewers and link forwardings)

    /// One more consumer of `stream` on this worker: the first sets the worker's bit, so the
    /// publisher's (or link's) worker starts notifying this one.
    func addConsumer(of stream: LiveStream) {
        let key = ObjectIdentifier(stream)
        consumerCounts[key, default: 0] += 1
        if consumerCounts[key] == 1 { stream.viewerWorkers.bitwiseOr(1 << UInt64(index), ordering: .releasing) }
    }

    /// One consumer fewer; the last clears the worker's bit.
    func removeConsumer(of stream: LiveStream) {
        let key = ObjectIdentifier(stream)
        consumerCounts[key, default: 1] -= 1
        if consumerCounts[key] == 0 {
            consumerCounts[key] = nil
            stream.viewerWorkers.bitwiseAnd(~(1 << UInt64(index)), ordering: .releasing)
        }
    }

    // MARK: Link ends

    /// Adds a link end owned by this worker.
    func addLink(_ end: LinkEnd) {
        if let existing = linksByAddress[end.peer] { closeLink(existing, reason: "replaced by link \(end.id)") }
        linksByAddress[end.peer] = end
        linksByID[end.id] = end
    }

    /// Closes a link end: its forwardings stop, the streams it fed keep their tracks (until the
    /// coordinator feeds them over another link or drops them).
    func closeLink(_ end: LinkEnd, reason: String) {
        linksByID[end.id] = nil
        if linksByAddress[end.peer] === end { linksByAddress[end.peer] = nil }
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

    // MARK: Forwarding (upstream end)

    /// Starts forwarding `ssrcs` of `stream`'s `tracks` on `end`.
    func startForwarding(stream: LiveStream, tracks: [PublishedTrack], ssrcs: Set<UInt32>, on end: LinkEnd)
        throws(LinkError)
    {
        guard case .sending(let sending) = end.half else { throw .invalid("link \(end.id) does not send from here") }
        if sending.streams[stream.name] != nil { stopForwarding(stream.name, on: end, sending: sending) }
        var forwarded: [PublishedTrack] = []
        for track in tracks {
            let layers = track.layers.filter { ssrcs.contains($0.meshSSRC) }
            guard !layers.isEmpty else { continue }
            for layer in layers {
                sending.sender.subscribe(ssrc: layer.meshSSRC, history: layer.history)
                sending.layersBySSRC[layer.meshSSRC] = layer
            }
            linkForwarding[ObjectIdentifier(track), default: []].append(end)
            forwarded.append(track)
        }
        guard !forwarded.isEmpty else { throw .invalid("none of the requested SSRCs belong to '\(stream.name)'") }
        sending.streams[stream.name] = (stream, forwarded)
        addConsumer(of: stream)
        // The downstream node needs a picture now, not at the publisher's next key frame.
        for track in forwarded where track.kind == .video {
            for layer in track.layers where ssrcs.contains(layer.meshSSRC) {
                layer.keyframeWanted.store(true, ordering: .relaxed)
            }
        }
    }

    /// Stops forwarding `name` on `end`.
    func stopForwarding(_ name: String, on end: LinkEnd, sending: LinkSendingHalf) {
        guard let (stream, tracks) = sending.streams.removeValue(forKey: name) else { return }
        for track in tracks {
            let key = ObjectIdentifier(track)
            linkForwarding[key]?.removeAll { $0 === end }
            if linkForwarding[key]?.isEmpty == true { linkForwarding[key] = nil }
            for layer in track.layers where sending.layersBySSRC[layer.meshSSRC] != nil {
                sending.sender.unsubscribe(ssrc: layer.meshSSRC)
                sending.layersBySSRC[layer.meshSSRC] = nil
            }
        }
        removeConsumer(of: stream)
    }

    /// A publisher came back with new tracks (same mesh SSRCs): links forwarding the stream
    /// forward the new tracks from now on.
    func attachLinks(of stream: LiveStream, to tracks: [PublishedTrack]) {
        for end in linksByID.values {
            guard case .sending(let sending) = end.half, let forwarded = sending.streams[stream.name] else { continue }
            let ssrcs = Set(forwarded.tracks.flatMap { $0.layers.map(\.meshSSRC) })
            stopForwarding(stream.name, on: end, sending: sending)
            try? startForwarding(stream: stream, tracks: tracks, ssrcs: ssrcs, on: end)
        }
    }

    /// Loads the packet from the layer's history straight into the send batch, protects it in
    /// place for each link and sends it (the batch is flushed by the caller).
    func forward(_ track: PublishedTrack, layer: Int, sequence: UInt16, on links: [LinkEnd], now: UInt64) {
        let shared = track.layers[layer]
        let dropRate = engine.configuration.linkDropRate
        for end in links {
            guard case .sending(let sending) = end.half else { continue }
            if egress.isFull { flushEgress() }
            let buffer = egress.nextBuffer
            guard let stored = shared.history.load(sequence: sequence, into: buffer) else {
                counters.drop("link_history_miss")
                continue
            }
            // Test knobs: lose a share of first transmissions on links; the next hop's NACKs recover them.
            let rate = max(dropRate, end.testDropRate)
            if rate > 0, Double.random(in: 0..<1, using: &random) < rate {
                counters.drop("test_link_drop")
                continue
            }
            guard let length = sending.sender.protect(inPlace: buffer, length: stored.length, now: now) else {
                continue
            }
            engine.trace?.record(.linkOut, ssrc: shared.meshSSRC, sequence: sequence, at: now, worker: index)
            egress.commit(length: length, to: end.peer)
        }
    }

    // MARK: Receiving (either end)

    /// A datagram from a link's peer: feedback for a sending end, media or keepalive for a
    /// receiving end.
    func receive(_ bytes: UnsafeRawBufferPointer, onLink end: LinkEnd) {
        let now = EngineClock.now()
        let buffer = UnsafeMutableRawBufferPointer(mutating: bytes)
        switch end.half {
        case .sending(let sending):
            let outcome = sending.sender.receiveFeedback(
                buffer, length: bytes.count, now: now,
                send: { data in sendControl(data, to: end.peer) },
                keyframeRequested: { ssrc in
                    counters.keyframeRequestsReceived &+= 1
                    sending.layersBySSRC[ssrc]?.keyframeWanted.store(true, ordering: .relaxed)
                })
            if outcome == .dropped { counters.drop("link_feedback_rejected") }
        case .receiving(let receiving):
            switch receiving.receiver.receive(buffer, length: bytes.count, now: now) {
            case .media(let ssrc, let length):
                guard let slot = receiving.routes.index(forKey: ssrc) else { return }
                receiving.routes.values[slot].bytesThisSecond &+= length
                let route = receiving.routes.values[slot]
                let sequence = UInt16(buffer[2]) << 8 | UInt16(buffer[3])
                engine.trace?.record(.linkIn, ssrc: ssrc, sequence: sequence, at: now, worker: index)
                fanOut(route.track, layer: route.layer, sequence: sequence, stream: route.stream)
            case .control:
                break
            case .dropped:
                counters.drop("link_media_rejected")
            }
        }
    }

    // MARK: Timers

    /// Every 20 ms: reports, keepalives, NACKs and merged key frame requests on each link;
    /// once a second the received layers' bitrates. Reports links whose peer went quiet (a
    /// sending end: once when quiet for a second, again when it closes the link).
    func tickLinks(now: UInt64, slow: Bool) {
        guard !linksByID.isEmpty else { return }
        var silent: [LinkEnd] = []
        let ntpNow = EngineClock.ntpNow()
        for end in linksByID.values {
            switch end.half {
            case .sending(let sending):
                sending.sender.poll(now: now, ntpTime: ntpNow) { data in sendControl(data, to: end.peer) }
                if sending.sender.isDownstreamSilent(now: now, since: end.createdAt) {
                    silent.append(end)
                } else if sending.sender.downstreamFellQuiet(now: now, since: end.createdAt) {
                    engine.emit(.downstreamLinkQuiet(linkID: end.id, downstreamNode: end.peerNode))
                }
            case .receiving(let receiving):
                guard !end.isDown else { continue }
                tickReceiving(receiving, end: end, now: now, slow: slow)
            }
        }
        for end in silent {
            closeLink(end, reason: "no feedback from \(end.peerNode) for a while")
            engine.emit(.downstreamLinkDown(linkID: end.id, downstreamNode: end.peerNode))
        }
    }

    private func tickReceiving(_ receiving: LinkReceivingHalf, end: LinkEnd, now: UInt64, slow: Bool) {
        let send: (UnsafeRawBufferPointer) -> Void = { data in self.sendControl(data, to: end.peer) }
        var slot = receiving.routes.startIndex
        while slot != receiving.routes.endIndex {
            let (ssrc, route) = receiving.routes[slot]
            let layer = route.track.layers[route.layer]
            if layer.keyframeWanted.exchange(false, ordering: .relaxed) {
                counters.keyframeRequestsSent &+= 1
                receiving.receiver.requestKeyframe(ssrc: ssrc, now: now, send: send)
            }
            if slow {
                layer.recordSecond(bytes: route.bytesThisSecond)
                receiving.routes.values[slot].bytesThisSecond = 0
            }
            slot = receiving.routes.index(after: slot)
        }
        receiving.receiver.poll(now: now, send: send)
        if receiving.receiver.isDown(now: now) {
            end.isDown = true
            let streams = receiving.streamNames
            logger.warning(
                "relay link \(end.id) from \(end.peerNode) is down: nothing heard for \(receiving.receiver.configuration.livenessTimeout / 1_000_000) ms",
                metadata: ["streams": "\(streams)"])
            engine.emit(.upstreamLinkDown(linkID: end.id, upstreamNode: end.peerNode, streams: streams))
        }
    }

    // MARK: Snapshots

    func linkSnapshots() -> [LinkSnapshot] {
        linksByID.values.map { end in
            switch end.half {
            case .sending(let sending):
                let statistics = sending.sender.statistics
                return LinkSnapshot(
                    id: end.id, end: .upstream, peerNode: end.peerNode, peerAddress: end.peerAddress, worker: index,
                    streams: sending.streams.keys.sorted(),
                    roundTripMilliseconds: statistics.roundTripTime.map { Double($0) / 1_000_000 },
                    fractionLost: Double(statistics.fractionLost) / 256, packets: UInt64(statistics.packetsSent),
                    retransmissions: UInt64(statistics.packetsResent),
                    dropped: UInt64(
                        statistics.authenticationFailures + statistics.replaysDropped + statistics.malformedFeedback))
            case .receiving(let receiving):
                let statistics = receiving.receiver.statistics
                return LinkSnapshot(
                    id: end.id, end: .downstream, peerNode: end.peerNode, peerAddress: end.peerAddress, worker: index,
                    streams: receiving.streamNames, packets: UInt64(statistics.packetsReceived),
                    retransmissions: UInt64(statistics.packetsRequested),
                    dropped: UInt64(
                        statistics.authenticationFailures + statistics.replaysDropped + statistics.malformed
                            + statistics.packetsUnknownSSRC))
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
