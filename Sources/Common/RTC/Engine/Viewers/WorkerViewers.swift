import Logging
import MeshWire

/// The viewers on one worker: their sections join the router as consumers of the published
/// tracks they show; their RTCP is answered here (NACKs from the history, key frame requests
/// passed upstream merged, REMB and receiver reports into the bandwidth estimate); once a second
/// they get sender reports and layer rates. Worker thread only.
final class WorkerViewers {
    let output: WorkerOutput
    let router: TrackRouter
    let logger: Logger
    /// A new viewer's assumed bandwidth (``MediaEngineConfiguration/viewerStartBitrate``).
    let startBitrate: UInt64
    /// Shared by every forwarder of this worker's viewers.
    let forwarderScratch = ForwarderScratch()

    init(output: WorkerOutput, router: TrackRouter, startBitrate: UInt64, logger: Logger) {
        self.output = output
        self.router = router
        self.startBitrate = startBitrate
        self.logger = logger
    }

    /// RTCP from a viewer: NACKs answered from the history, PLI/FIR passed upstream merged,
    /// REMB and receiver reports feed its bandwidth estimate.
    func receiveRTCP(_ packet: UnsafeRawBufferPointer, session: MediaSession, state: ViewerState, now: UInt64) {
        var iterator = RTCPCompoundIterator(packet)
        while true {
            let next: RTCPPacketView?
            do { next = try iterator.next() } catch {
                output.counters.drop(.rtcpMalformed)
                return
            }
            guard let view = next, let parsed = try? RTCPPacket(parsing: view) else {
                if next == nil { return }
                continue
            }
            switch parsed {
            case .genericNACK(let nack):
                guard let track = state.track(sendingSSRC: nack.mediaSSRC), let forwarder = track.forwarder,
                    let destination = session.transport.remoteAddress
                else { continue }
                for sequence in nack.lostSequenceNumbers {
                    output.counters.nacksReceived &+= 1
                    let buffer = output.nextBuffer
                    guard let length = forwarder.retransmit(nackedSequence: sequence, now: now, into: buffer),
                        let protected = session.transport.protectRTP(buffer, length: length)
                    else { continue }
                    output.egress.commit(length: protected, to: destination)
                    output.counters.retransmissions &+= 1
                }
            case .pictureLossIndication(let pli):
                keyframeRequested(by: state, mediaSSRC: pli.mediaSSRC)
            case .fullIntraRequest(let fir):
                for entry in fir.entries { keyframeRequested(by: state, mediaSSRC: entry.ssrc) }
            case .receiverEstimatedMaxBitrate(let remb):
                for track in state.tracks { track.forwarder?.receivedREMB(bitrate: remb.bitrate, now: now) }
            case .receiverReport(let report):
                for block in report.reportBlocks {
                    state.track(sendingSSRC: block.ssrc)?.forwarder?.receivedReport(block, now: now)
                }
            default:
                continue
            }
        }
    }

    private func keyframeRequested(by state: ViewerState, mediaSSRC: UInt32) {
        output.counters.keyframeRequestsReceived &+= 1
        guard let track = state.track(sendingSSRC: mediaSSRC), let source = track.source,
            let layer = track.forwarder?.currentLayer ?? track.forwarder?.targetLayer
        else { return }
        source.wantKeyframe(layer: layer)
    }

    /// Once a second per viewer: the layer rates into its selector (which also lets an expired
    /// bitrate cap go) and a sender report per track (RFC 3550 §6.4.1) for lip sync.
    func tick(_ session: MediaSession, state: ViewerState, now: UInt64, ntpNow: UInt64, slow: Bool) {
        guard session.isConnected else { return }
        for track in state.tracks { track.registerWantedLayers(with: router) }
        sendPadding(session, state: state, now: now, ntpNow: ntpNow)
        guard slow else { return }
        for track in state.tracks {
            guard let forwarder = track.forwarder, let source = track.source else { continue }
            forwarder.recordSecond()
            forwarder.setLayerOrder(source.layerOrder, now: now)
            for layer in source.layers {
                forwarder.setLayerBitrate(UInt64(layer.bitrate.load(ordering: .relaxed)), layer: layer.index, now: now)
            }
            if let wanted = forwarder.takeKeyframeRequest() { source.wantKeyframe(layer: wanted) }
            guard let layer = forwarder.currentLayer, source.layers.indices.contains(layer) else { continue }
            if track.loggedLayer != layer, source.layers.count > 1 {
                track.loggedLayer = layer
                let estimate = forwarder.estimate(now: now).map { "\($0 / 1000) kbit/s" } ?? "none"
                logger.info(
                    "viewer now receives layer \(source.layers[layer].rid) (estimate \(estimate))",
                    metadata: ["session": "\(session.id)", "stream": "\(session.stream.name)"])
            }
            sendSenderReport(session, forwarder: forwarder, source: source, now: now, ntpNow: ntpNow)
        }
    }

    /// A sender report for one track, from the publisher's clock of the layer it gets.
    private func sendSenderReport(
        _ session: MediaSession, forwarder: ViewerTrackForwarder, source: PublishedTrack, now: UInt64, ntpNow: UInt64
    ) {
        guard let layer = forwarder.currentLayer, source.layers.indices.contains(layer) else { return }
        let clock = source.layers[layer].senderReport.withLock { $0 }
        guard let report = forwarder.senderReport(clock: clock, ntpNow: ntpNow, now: now) else { return }
        output.send(report, session: session)
    }

    /// Spaces probe padding; set when the worker starts (without it, each tick sends one
    /// padding packet per probing track).
    var pacer: ProbePacer?
    /// The viewers whose probe pads now, by their state's identity.
    private var probing: [ObjectIdentifier: (session: MediaSession, state: ViewerState)] = [:]

    /// Every tick: a sender report every ``BandwidthProbe/reportInterval`` while a probe runs
    /// (so that the viewer's report blocks show the round trip under the padding), a probe
    /// started where one is due, and its padding handed to the pacer.
    private func sendPadding(_ session: MediaSession, state: ViewerState, now: UInt64, ntpNow: UInt64) {
        for track in state.tracks where track.media.kind == .video {
            guard let forwarder = track.forwarder else { continue }
            if forwarder.probeWantsSenderReport(now: now), let source = track.source {
                sendSenderReport(session, forwarder: forwarder, source: source, now: now, ntpNow: ntpNow)
            }
            sendPaddingPacket(session, forwarder: forwarder, now: now)
            if pacer != nil, forwarder.isPadding(now: now) {
                probing[ObjectIdentifier(state)] = (session, state)
                pacer?.run()
            }
        }
    }

    /// Every millisecond while a probe pads: at most one packet per probing track, which keeps
    /// the padding at its rate up to 9.6 Mbit/s of 1200-byte packets.
    func pace(now: UInt64) {
        for (key, viewer) in probing {
            var padding = false
            if viewer.session.isConnected {
                for track in viewer.state.tracks where track.media.kind == .video {
                    guard let forwarder = track.forwarder, forwarder.isPadding(now: now) else { continue }
                    padding = true
                    sendPaddingPacket(viewer.session, forwarder: forwarder, now: now)
                }
            }
            if !padding { probing[key] = nil }
        }
        if probing.isEmpty { pacer?.stop() }
    }

    /// One padding packet of `forwarder`'s probe, if it owes one.
    private func sendPaddingPacket(_ session: MediaSession, forwarder: ViewerTrackForwarder, now: UInt64) {
        guard let destination = session.transport.remoteAddress else { return }
        let buffer = output.nextBuffer
        guard let length = forwarder.padding(now: now, into: buffer),
            let protected = session.transport.protectRTP(buffer, length: length)
        else { return }
        output.egress.commit(length: protected, to: destination)
        output.counters.paddingPackets &+= 1
    }

    /// Points the viewer's sections at a publisher's tracks: each section takes the first
    /// unclaimed track of its kind whose codec it negotiated.
    func attach(_ session: MediaSession, state: ViewerState, to tracks: [PublishedTrack], now: UInt64) {
        guard !tracks.isEmpty else { return }
        var claimed = Set<ObjectIdentifier>()
        for viewerTrack in state.tracks {
            guard
                let source = tracks.first(where: { candidate in
                    candidate.kind == viewerTrack.media.kind && !claimed.contains(ObjectIdentifier(candidate))
                        && viewerTrack.media.codecs.contains { $0.kind == candidate.codec.kind }
                })
            else { continue }
            claimed.insert(ObjectIdentifier(source))
            if viewerTrack.source === source { continue }
            if let old = viewerTrack.source {
                router.remove(viewerTrack, of: old)
                viewerTrack.registeredLayers = 0
            }
            let histories = source.layers.map(\.history)
            if let forwarder = viewerTrack.forwarder {
                forwarder.switchSource(to: histories, sourceCaptureTimeID: source.captureTimeID)
            } else {
                viewerTrack.forwarder = makeForwarder(
                    for: viewerTrack, source: source, histories: histories, state: state, now: now)
            }
            viewerTrack.source = source
            // The selector needs the layers' rates from the first packet, or the first key
            // frame of any layer would start the viewer, whatever its estimate or cap.
            viewerTrack.forwarder?.setLayerOrder(source.layerOrder, now: now)
            for layer in source.layers {
                viewerTrack.forwarder?.setLayerBitrate(
                    UInt64(layer.bitrate.load(ordering: .relaxed)), layer: layer.index, now: now)
            }
            router.add(viewerTrack, of: source, layers: 0)
            viewerTrack.registerWantedLayers(with: router)
            // A new viewer gets a picture fast: ask for a keyframe of the layer it starts on. Before
            // DTLS is up the keyframe would go by unseen; `sessionConnected` asks then.
            if source.kind == .video && session.isConnected {
                source.wantKeyframe(layer: viewerTrack.forwarder?.targetLayer ?? 0)
            }
        }
    }

    /// Outgoing packets whose NACKs a viewer's forwarder can map back to the source (8 bytes
    /// each): about 4 s of 1.5 Mbit/s video, over 1 s at 4 Mbit/s; a NACK older than a few
    /// round trips comes too late to help. Audio carries no NACK in browsers' offers, so its
    /// ring is small. (Was 1024 for both: 16 KB per viewer, issue 12's memory target.)
    static let videoMappingCapacity = 512
    static let audioMappingCapacity = 128

    private func makeForwarder(
        for viewerTrack: ViewerTrack, source: PublishedTrack, histories: [PacketHistory], state: ViewerState,
        now: UInt64
    ) -> ViewerTrackForwarder? {
        let media = viewerTrack.media
        guard let codec = media.codecs.first(where: { $0.kind == source.codec.kind }), let ssrc = media.localSSRC
        else { return nil }
        let stream = OutgoingStreamRewriter.Configuration(
            ssrc: ssrc, payloadType: codec.payloadType, clockRate: codec.clockRate,
            codec: .init(codec.kind), absSendTimeID: media.extensions.absSendTime,
            midID: media.extensions.mid, mid: Array(media.mid.utf8), absCaptureTimeID: media.extensions.absCaptureTime,
            initialSequence: .random(in: 0...UInt16.max), initialTimestamp: .random(in: 0...UInt32.max),
            mappingCapacity: source.kind == .video ? Self.videoMappingCapacity : Self.audioMappingCapacity)
        let retransmission = zip(media.localRTXSSRC, codec.rtxPayloadType).map {
            ViewerTrackForwarder.Retransmission(ssrc: $0.0, payloadType: $0.1)
        }
        let forwarder = ViewerTrackForwarder(
            stream: stream, histories: histories, sourceCaptureTimeID: source.captureTimeID,
            retransmission: retransmission,
            estimator: ViewerBandwidthEstimator.Configuration(initialBitrate: startBitrate), scratch: forwarderScratch)
        if let cap = state.options.maxBitrate {
            forwarder.setBitrateCap(UInt64(cap), until: state.capExpiry ?? .max, now: now)
        }
        return forwarder
    }

    /// Takes a leaving viewer's sections out of the subscriber lists.
    func detach(_ state: ViewerState) {
        probing[ObjectIdentifier(state)] = nil
        for track in state.tracks {
            if let source = track.source { router.remove(track, of: source) }
            track.source = nil
            track.registeredLayers = 0
        }
    }

    /// Viewers per layer of each track, for `/v1/streams`.
    func layerViewerCounts() -> [ObjectIdentifier: [Int: Int]] {
        var counts: [ObjectIdentifier: [Int: Int]] = [:]
        for (key, consumers) in router.consumers {
            for case let viewer as ViewerTrack in consumers {
                guard let layer = viewer.forwarder?.currentLayer else { continue }
                counts[key, default: [:]][layer, default: 0] += 1
            }
        }
        return counts
    }
}

extension ViewerState {
    /// The section sending with `ssrc` (media or RTX).
    func track(sendingSSRC ssrc: UInt32) -> ViewerTrack? {
        tracks.first { $0.media.localSSRC == ssrc || $0.media.localRTXSSRC == ssrc }
    }
}

/// Optional pairs: both or nothing.
private func zip<A, B>(_ first: A?, _ second: B?) -> (A, B)? {
    guard let first, let second else { return nil }
    return (first, second)
}
