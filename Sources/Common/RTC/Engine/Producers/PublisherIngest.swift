import MeshWire

/// Publisher ingest, a producer: each decrypted RTP packet from a WHIP publisher is restored
/// (RTX), stamped with its layer's mesh SSRC, stored in the layer's history and routed; RTCP
/// from the publisher feeds lip sync; every 20 ms the publisher gets NACKs, merged key frame
/// requests, transport-wide CC feedback and receiver reports. Worker thread only.
final class PublisherIngest {
    let output: WorkerOutput
    let router: TrackRouter
    let trace: HopTrace?

    init(output: WorkerOutput, router: TrackRouter, trace: HopTrace?) {
        self.output = output
        self.router = router
        self.trace = trace
    }

    /// A decrypted RTP packet from a publisher: store it in its layer's history, account for
    /// it, and route it to every worker with consumers (one notice per worker).
    func receiveRTP(
        _ packet: UnsafeMutableRawBufferPointer, session: MediaSession, state: PublisherState, now: UInt64
    ) {
        guard let view = try? RTPPacketView(parsing: UnsafeRawBufferPointer(packet)) else {
            output.counters.drop(.rtpMalformed)
            return
        }
        if let id = state.transportCCExtension, let element = view.headerExtension?.element(id: id),
            element.value.count >= 2
        {
            state.transportCC?.record(
                transportSequence: UInt16(element.value[0]) << 8 | UInt16(element.value[1]), arrival: now)
        }
        guard let route = state.routes[view.ssrc] ?? state.learnRoute(for: view) else {
            output.counters.drop(.rtpUnknownSSRC)
            return
        }
        let track = state.tracks[route.track]
        let layer = track.layers[route.layer]
        var length = packet.count
        if route.isRetransmission {
            // RFC 4588 §4: restore the original packet (OSN, media SSRC and payload type).
            guard let mediaSSRC = layer.statistics?.ssrc,
                let restored = RTXPacket.unwrap(
                    packet, length: length, originalSSRC: mediaSSRC, originalPayloadType: track.shared.codec.payloadType
                )
            else {
                output.counters.drop(.rtxUnusable)
                return
            }
            length = restored
        } else if layer.statistics?.ssrc != view.ssrc {
            // A new SSRC numbers from scratch, but keeps the layer's mesh SSRC: a break for readers.
            if layer.statistics != nil { layer.shared.history.markDiscontinuity() }
            layer.statistics = ReceiveStatistics(ssrc: view.ssrc, clockRate: track.shared.codec.clockRate)
            layer.nacks = NACKRequester()
            layer.shared.ssrc.store(view.ssrc, ordering: .relaxed)
        }
        // Every hop after this one knows the layer by its mesh SSRC alone.
        packet.storeBigEndian(layer.shared.meshSSRC, at: 8)
        let stored = UnsafeRawBufferPointer(rebasing: packet[0..<length])
        guard let media = try? RTPPacketView(parsing: stored) else {
            output.counters.drop(.rtxMalformed)
            return
        }
        let sequence = media.sequenceNumber
        trace?.record(.ingest, ssrc: layer.shared.meshSSRC, sequence: sequence, at: now, worker: output.index)
        layer.statistics?.record(sequence: sequence, rtpTimestamp: media.timestamp, arrival: now, size: length)
        layer.nacks.received(sequence: sequence, now: now)
        // Retransmissions and padding-only packets are repairs and bandwidth probes (Chromium
        // probes with RTX on one layer as its estimate grows), not the encoder's rate: counted,
        // they made the smallest layer look like the largest.
        let isEncoderOutput = !route.isRetransmission && !media.payload.isEmpty
        if isEncoderOutput { layer.bytesThisSecond &+= length }
        let isKeyframe = KeyframeDetector.isKeyframeStart(track.shared.codec.kind, payload: media.payload)
        if isKeyframe { layer.keyframeGate.keyframeArrived(now: now) }
        if track.shared.kind == .video, isEncoderOutput,
            layer.shared.observe(media, codec: track.shared.codec.kind, keyframe: isKeyframe)
        {
            track.shared.rankLayers()
        }
        layer.shared.history.store(stored, sequence: sequence, arrival: now, isKeyframeStart: isKeyframe)
        router.route(track.shared, layer: route.layer, sequence: sequence, now: now)
    }

    /// RTCP from a publisher: sender reports give the NTP/RTP mapping viewers' reports need.
    func receiveRTCP(_ packet: UnsafeRawBufferPointer, state: PublisherState, now: UInt64) {
        var iterator = RTCPCompoundIterator(packet)
        while true {
            let next: RTCPPacketView?
            do { next = try iterator.next() } catch {
                output.counters.drop(.rtcpMalformed)
                return
            }
            guard let view = next else { return }
            guard case .senderReport(let report)? = try? RTCPPacket(parsing: view) else { continue }
            for track in state.tracks {
                for layer in track.layers where layer.statistics?.ssrc == report.ssrc {
                    layer.shared.senderReport.withLock {
                        $0.receivedSenderReport(ntpTimestamp: report.ntpTimestamp, rtpTimestamp: report.rtpTimestamp)
                    }
                    layer.statistics?.receivedSenderReport(ntpTimestamp: report.ntpTimestamp, arrival: now)
                }
            }
        }
    }

    /// Every 20 ms for each publisher: NACK what is missing, send merged keyframe requests,
    /// transport-wide CC feedback every 50 ms, receiver reports and layer bitrates every second.
    func tick(_ session: MediaSession, state: PublisherState, now: UInt64, slow: Bool) {
        guard session.isConnected else { return }
        var transportCCSSRC: UInt32?
        for track in state.tracks {
            for layer in track.layers {
                guard let ssrc = layer.statistics?.ssrc else { continue }
                transportCCSSRC = transportCCSSRC ?? ssrc
                if let nack = layer.nacks.nack(
                    now: now, rtt: track.roundTripTime, senderSSRC: state.feedbackSSRC, mediaSSRC: ssrc)
                {
                    output.counters.nacksSent &+= 1
                    output.send(nack, session: session)
                }
                if layer.nacks.takeLossForGood() {
                    // Viewers restart at the next key frame, which is asked for.
                    layer.shared.history.markDiscontinuity()
                    if track.shared.kind == .video { layer.shared.keyframeWanted.store(true, ordering: .relaxed) }
                }
                var due = false
                if layer.shared.keyframeWanted.exchange(false, ordering: .relaxed) {
                    due = layer.keyframeGate.request(now: now)
                }
                if due || layer.keyframeGate.poll(now: now) {
                    output.counters.keyframeRequestsSent &+= 1
                    sendKeyframeRequest(track: track, layer: layer, mediaSSRC: ssrc, state: state, session: session)
                }
                if slow {
                    layer.shared.recordSecond(bytes: layer.bytesThisSecond)
                    layer.bytesThisSecond = 0
                }
            }
            if slow { track.shared.rankLayers() }
        }
        if state.transportCC != nil, let mediaSSRC = transportCCSSRC {
            let feedback =
                state.transportCC?.feedback(now: now, senderSSRC: state.feedbackSSRC, mediaSSRC: mediaSSRC) ?? []
            for packet in feedback { output.send(packet, session: session) }
        }
        if slow { sendReceiverReport(state: state, session: session, now: now) }
    }

    /// PLI when negotiated (RFC 4585 §6.3.1), else FIR (RFC 5104 §4.3.1).
    private func sendKeyframeRequest(
        track: PublisherTrackState, layer: PublisherLayerState, mediaSSRC: UInt32, state: PublisherState,
        session: MediaSession
    ) {
        let feedback = track.shared.codec.feedback
        if feedback.contains(.pli) || !feedback.contains(.fir) {
            output.send(PictureLossIndication(senderSSRC: state.feedbackSSRC, mediaSSRC: mediaSSRC), session: session)
        } else {
            let entry = FullIntraRequestEntry(ssrc: mediaSSRC, sequenceNumber: layer.keyframeGate.firSequenceNumber)
            output.send(FullIntraRequest(senderSSRC: state.feedbackSSRC, entries: [entry]), session: session)
        }
    }

    /// One RR with a report block per layer (RFC 3550 §6.4.2), so the publisher sees our loss.
    private func sendReceiverReport(state: PublisherState, session: MediaSession, now: UInt64) {
        var blocks: [ReceptionReport] = []
        for track in state.tracks {
            for layer in track.layers {
                if let block = layer.statistics?.reportBlock(now: now) { blocks.append(block) }
            }
        }
        guard !blocks.isEmpty else { return }
        output.send(ReceiverReport(ssrc: state.feedbackSSRC, reportBlocks: Array(blocks.prefix(31))), session: session)
    }
}
