import MeshRuntime
import MeshWire

extension WorkerLinks {
    // MARK: Receiving (either end)

    /// A datagram from a link's peer: feedback for a sending end, media or keepalive for a
    /// receiving end (whose media goes to the router, like a publisher's).
    func receive(_ buffer: UnsafeMutableRawBufferPointer, onLink end: LinkEnd, now: UInt64) {
        switch end.half {
        case .sending(let sending):
            let outcome = sending.sender.receiveFeedback(
                buffer, length: buffer.count, now: now,
                send: { data in output.sendControl(data, to: end.peer) },
                keyframeRequested: { ssrc in
                    output.counters.keyframeRequestsReceived &+= 1
                    sending.layersBySSRC[ssrc]?.keyframeWanted.store(true, ordering: .relaxed)
                })
            if outcome == .dropped { output.counters.drop(.linkFeedbackRejected) }
        case .receiving(let receiving):
            switch receiving.receiver.receive(buffer, length: buffer.count, now: now) {
            case .media(let ssrc, let length, let keyframe):
                guard let slot = receiving.routes.index(forKey: ssrc) else { return }
                let route = receiving.routes.values[slot]
                if measure(route, packet: UnsafeRawBufferPointer(rebasing: buffer[0..<length]), keyframe: keyframe) {
                    receiving.routes.values[slot].bytesThisSecond &+= length
                }
                let sequence = UInt16(buffer[2]) << 8 | UInt16(buffer[3])
                engine.trace?.record(.linkIn, ssrc: ssrc, sequence: sequence, at: now, worker: output.index)
                router.route(route.track, layer: route.layer, sequence: sequence, now: now)
            case .control:
                receiving.receiver.takeSenderReports { ssrc, pair in
                    receiving.receivedSenderReport(ssrc: ssrc, pair: pair)
                }
            case .dropped:
                output.counters.drop(.linkMediaRejected)
            }
        }
    }

    /// Frame rate and key frame size of a received video layer, measured on every hop from
    /// the media itself, so that each node ranks the layers as the origin does. False for a
    /// padding-only packet (a probe), which the layer's bitrate leaves out, as on the origin.
    private func measure(_ route: LinkReceivingHalf.Route, packet: UnsafeRawBufferPointer, keyframe: Bool) -> Bool {
        guard let media = try? RTPPacketView(parsing: packet), !media.payload.isEmpty else { return false }
        if route.track.kind == .video,
            route.track.layers[route.layer].observe(media, codec: route.track.codec.kind, keyframe: keyframe)
        {
            route.track.rankLayers()
        }
        return true
    }

    // MARK: Timers

    /// Every 20 ms: reports (carrying the layers' publisher clocks on), keepalives, NACKs and
    /// merged key frame requests on each link; once a second the received layers' bitrates.
    /// Reports links whose peer went quiet (a sending end: once when quiet for a second, again
    /// when it closes the link).
    func tick(now: UInt64, ntpNow: UInt64, slow: Bool) {
        guard !isEmpty else { return }
        var silent: [LinkEnd] = []
        for end in byID.values {
            switch end.half {
            case .sending(let sending):
                sending.sender.poll(now: now, ntpTime: ntpNow) { data in output.sendControl(data, to: end.peer) }
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
            close(end, reason: "no feedback from \(end.peerNode) for a while")
            engine.emit(.downstreamLinkDown(linkID: end.id, downstreamNode: end.peerNode))
        }
    }

    private func tickReceiving(_ receiving: LinkReceivingHalf, end: LinkEnd, now: UInt64, slow: Bool) {
        let send: (UnsafeRawBufferPointer) -> Void = { data in self.output.sendControl(data, to: end.peer) }
        var slot = receiving.routes.startIndex
        while slot != receiving.routes.endIndex {
            let (ssrc, route) = receiving.routes[slot]
            // Viewers' reports must not translate an old source's clock past a break.
            let layer = receiving.forgetClockAfterBreak(at: slot)
            if layer.keyframeWanted.exchange(false, ordering: .relaxed) {
                output.counters.keyframeRequestsSent &+= 1
                receiving.receiver.requestKeyframe(ssrc: ssrc, now: now, send: send)
            }
            if slow {
                layer.recordSecond(bytes: route.bytesThisSecond)
                receiving.routes.values[slot].bytesThisSecond = 0
                if route.layer == route.track.layers.count - 1 { route.track.rankLayers() }
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

    func snapshots() -> [LinkSnapshot] {
        byID.values.map { end in
            switch end.half {
            case .sending(let sending):
                let statistics = sending.sender.statistics
                return LinkSnapshot(
                    id: end.id, end: .upstream, peerNode: end.peerNode, peerAddress: end.peerAddress,
                    worker: output.index, streams: sending.streams.keys.sorted(),
                    roundTripMilliseconds: statistics.roundTripTime.map { Double($0) / 1_000_000 },
                    fractionLost: Double(statistics.fractionLost) / 256, packets: UInt64(statistics.packetsSent),
                    bytes: UInt64(statistics.bytesSent), retransmissions: UInt64(statistics.packetsResent),
                    // Packets it could not protect are dropped too: a limit hit there must show.
                    dropped: UInt64(
                        statistics.authenticationFailures + statistics.replaysDropped + statistics.malformedFeedback
                            + statistics.protectFailures))
            case .receiving(let receiving):
                let statistics = receiving.receiver.statistics
                return LinkSnapshot(
                    id: end.id, end: .downstream, peerNode: end.peerNode, peerAddress: end.peerAddress,
                    worker: output.index, streams: receiving.streamNames,
                    fractionLost: Double(statistics.fractionLostReported) / 256,
                    packets: UInt64(statistics.packetsReceived), bytes: UInt64(statistics.bytesReceived),
                    retransmissions: UInt64(statistics.packetsRequested),
                    dropped: UInt64(
                        statistics.authenticationFailures + statistics.replaysDropped + statistics.malformed
                            + statistics.packetsUnknownSSRC))
            }
        }
    }
}
