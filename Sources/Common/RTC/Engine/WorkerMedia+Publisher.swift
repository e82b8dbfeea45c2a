import MeshWire

extension WorkerMedia {
    /// A decrypted RTP packet from a publisher: store it in its layer's history, account for
    /// it, and hand it to every worker with viewers (one notice per worker).
    func receivePublisherRTP(
        _ packet: UnsafeMutableRawBufferPointer, session: MediaSession, state: PublisherState, now: UInt64
    ) {
        guard let view = try? RTPPacketView(parsing: UnsafeRawBufferPointer(packet)) else {
            counters.drop("rtp_malformed")
            return
        }
        if let id = state.transportCCExtension, let element = view.headerExtension?.element(id: id),
            element.value.count >= 2
        {
            state.transportCC?.record(
                transportSequence: UInt16(element.value[0]) << 8 | UInt16(element.value[1]), arrival: now)
        }
        guard let route = state.routes[view.ssrc] ?? state.learnRoute(for: view) else {
            counters.drop("rtp_unknown_ssrc")
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
                counters.drop("rtx_unusable")
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
            counters.drop("rtx_malformed")
            return
        }
        let sequence = media.sequenceNumber
        engine.trace?.record(.ingest, ssrc: layer.shared.meshSSRC, sequence: sequence, at: now, worker: index)
        layer.statistics?.record(sequence: sequence, rtpTimestamp: media.timestamp, arrival: now, size: length)
        layer.nacks.received(sequence: sequence, now: now)
        layer.bytesThisSecond &+= length
        let isKeyframe = KeyframeDetector.isKeyframeStart(track.shared.codec.kind, payload: media.payload)
        if isKeyframe { track.keyframeGate.keyframeArrived(now: now) }
        layer.shared.history.store(stored, sequence: sequence, arrival: now, isKeyframeStart: isKeyframe)
        fanOut(track.shared, layer: route.layer, sequence: sequence, stream: session.stream)
    }

    /// One notice per worker with viewers of the stream; this worker's viewers directly.
    func fanOut(_ track: PublishedTrack, layer: Int, sequence: UInt16, stream: LiveStream) {
        var mask = stream.viewerWorkers.load(ordering: .acquiring)
        while mask != 0 {
            let target = mask.trailingZeroBitCount
            mask &= mask &- 1
            if target == index {
                deliverLocally(track, layer: layer, sequence: sequence)
            } else if engine.workers[target].notices?.send(
                ForwardNotice(track: track, layer: layer, sequence: sequence))
                != .accepted
            {
                counters.drop("inbox_full")
            }
        }
    }

    /// RTCP from a publisher: sender reports give the NTP/RTP mapping viewers' reports need.
    func receivePublisherRTCP(_ packet: UnsafeRawBufferPointer, state: PublisherState, now: UInt64) {
        var iterator = RTCPCompoundIterator(packet)
        while true {
            let next: RTCPPacketView?
            do { next = try iterator.next() } catch {
                counters.drop("rtcp_malformed")
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
    func tickPublisher(_ session: MediaSession, state: PublisherState, now: UInt64, slow: Bool) {
        guard session.isConnected else { return }
        var transportCCSSRC: UInt32?
        for track in state.tracks {
            for layer in track.layers {
                guard let ssrc = layer.statistics?.ssrc else { continue }
                transportCCSSRC = transportCCSSRC ?? ssrc
                if let nack = layer.nacks.nack(
                    now: now, rtt: track.roundTripTime, senderSSRC: state.feedbackSSRC, mediaSSRC: ssrc)
                {
                    counters.nacksSent &+= 1
                    send(nack, session: session)
                }
                if layer.nacks.takeLossForGood() {
                    // Viewers restart at the next key frame, which is asked for.
                    layer.shared.history.markDiscontinuity()
                    if track.shared.kind == .video { layer.shared.keyframeWanted.store(true, ordering: .relaxed) }
                }
                var due = false
                if layer.shared.keyframeWanted.exchange(false, ordering: .relaxed) {
                    due = track.keyframeGate.request(now: now)
                }
                if due || (layer.shared.index == 0 && track.keyframeGate.poll(now: now)) {
                    counters.keyframeRequestsSent &+= 1
                    sendKeyframeRequest(track: track, mediaSSRC: ssrc, state: state, session: session)
                }
                if slow {
                    layer.shared.recordSecond(bytes: layer.bytesThisSecond)
                    layer.bytesThisSecond = 0
                }
            }
        }
        if state.transportCC != nil, let mediaSSRC = transportCCSSRC {
            let feedback =
                state.transportCC?.feedback(now: now, senderSSRC: state.feedbackSSRC, mediaSSRC: mediaSSRC) ?? []
            for packet in feedback { send(packet, session: session) }
        }
        if slow { sendReceiverReport(state: state, session: session, now: now) }
    }

    /// PLI when negotiated (RFC 4585 §6.3.1), else FIR (RFC 5104 §4.3.1).
    private func sendKeyframeRequest(
        track: PublisherTrackState, mediaSSRC: UInt32, state: PublisherState, session: MediaSession
    ) {
        let feedback = track.shared.codec.feedback
        if feedback.contains(.pli) || !feedback.contains(.fir) {
            send(PictureLossIndication(senderSSRC: state.feedbackSSRC, mediaSSRC: mediaSSRC), session: session)
        } else {
            let entry = FullIntraRequestEntry(ssrc: mediaSSRC, sequenceNumber: track.keyframeGate.firSequenceNumber)
            send(FullIntraRequest(senderSSRC: state.feedbackSSRC, entries: [entry]), session: session)
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
        send(ReceiverReport(ssrc: state.feedbackSSRC, reportBlocks: Array(blocks.prefix(31))), session: session)
    }

    /// Marshals one RTCP packet into the scratch buffer, protects and sends it.
    func send(_ packet: some RTCPPacketFormat, session: MediaSession) {
        var writer = ByteWriter(scratch)
        guard (try? packet.marshal(into: &writer)) != nil else { return }
        sendRTCP(length: writer.offset, session: session)
    }
}
