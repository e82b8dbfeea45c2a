import MeshWire

/// Forwards one published track to one viewer: picks the simulcast layer the viewer's
/// bandwidth allows, switches layers on key frames, rewrites each packet into the viewer's
/// continuous stream, answers the viewer's NACKs from the layers' ``PacketHistory`` (as RTX,
/// RFC 4588, when negotiated), and counts what it did.
///
/// It runs on the viewer's worker; the histories it reads are written by the publisher's
/// worker. Buffers are allocated in `init`; ``forward(layer:sequence:now:into:)`` and
/// ``retransmit(nackedSequence:now:into:)`` allocate nothing. Key frames are not requested
/// directly: ``takeKeyframeRequest()`` names the layer the forwarder waits for, and the
/// engine passes that to the track's ``KeyframeRequestGate`` on the publisher's worker.
public final class ViewerTrackForwarder {
    /// What the viewer negotiated for RTX (RFC 4588 §8.6: its own SSRC and payload type).
    public struct Retransmission: Sendable {
        /// The RTX stream's SSRC.
        public var ssrc: UInt32
        /// The RTX payload type (apt = the media payload type).
        public var payloadType: UInt8
        /// The first RTX sequence number.
        public var initialSequence: UInt16

        /// An RTX configuration.
        public init(ssrc: UInt32, payloadType: UInt8, initialSequence: UInt16 = 0) {
            self.ssrc = ssrc
            self.payloadType = payloadType
            self.initialSequence = initialSequence
        }
    }

    /// How often (ns) a key frame of the same layer is asked for again while waiting for one.
    public static let keyframeRetryInterval: UInt64 = 1_000_000_000

    /// The per-layer histories of the track, in the publisher's SDP order (``layerOrder`` ranks them).
    public private(set) var histories: [PacketHistory]
    /// RTX, when negotiated.
    public let retransmission: Retransmission?
    private var rewriter: OutgoingStreamRewriter
    private var selector: SimulcastLayerSelector
    private var estimator: ViewerBandwidthEstimator
    private var path = ViewerPathMonitor()
    private let scratch: UnsafeMutableRawBufferPointer
    private let retransmissionScratch: UnsafeMutableRawBufferPointer
    private var rtxSequence: UInt16
    private var wantedKeyframe: (layer: Int, asked: UInt64)?
    private var keyframeRequest: Int?
    /// Set when the source changed (a publisher reconnected, or the forwarded layer's history
    /// marked a discontinuity): whatever layer comes next must start with a key frame, even if
    /// its index is the one being forwarded.
    private var awaitingNewSource = false
    /// The forwarded layer's ``PacketHistory/generation`` when the viewer started on it.
    private var startedGeneration: UInt32 = 0

    /// Packets forwarded.
    public private(set) var forwardedCount = 0
    /// Packets retransmitted (answers to NACKs).
    public private(set) var retransmittedCount = 0
    /// Packets that could not be sent: gone from the history, unknown, or not RTP.
    public private(set) var droppedCount = 0
    /// Packets of layers the viewer is not getting (not an error).
    public private(set) var skippedCount = 0
    /// Packets sent, retransmissions excluded (the SR sender's packet count, RFC 3550 §6.4.1).
    public private(set) var packetsSent: UInt32 = 0
    /// Payload octets sent, retransmissions excluded (the SR sender's octet count).
    public private(set) var octetsSent: UInt32 = 0
    private var octetsAtLastSecond: UInt32 = 0

    /// A forwarder for the track whose layers are `histories` to the viewer described by `stream`;
    /// `sourceCaptureTimeID` is the abs-capture-time ID the stored packets carry (their
    /// publisher's negotiation), `nil` when they have none.
    public init(
        stream: OutgoingStreamRewriter.Configuration, histories: [PacketHistory], sourceCaptureTimeID: UInt8? = nil,
        retransmission: Retransmission? = nil, estimator: ViewerBandwidthEstimator.Configuration = .init()
    ) {
        self.histories = histories
        self.retransmission = retransmission
        rewriter = OutgoingStreamRewriter(configuration: stream, sourceCaptureTimeID: sourceCaptureTimeID)
        selector = SimulcastLayerSelector(layerCount: histories.count)
        self.estimator = ViewerBandwidthEstimator(configuration: estimator)
        let size = (histories.map(\.slotSize).max() ?? 1500) + 64
        scratch = .allocate(byteCount: size, alignment: 16)
        retransmissionScratch = .allocate(byteCount: size, alignment: 16)
        rtxSequence = retransmission?.initialSequence ?? 0
    }

    deinit {
        scratch.deallocate()
        retransmissionScratch.deallocate()
    }

    /// The layer being forwarded, `nil` before the first key frame.
    public var currentLayer: Int? { rewriter.currentLayer }
    /// The layer the selector wants, `nil` before any layer bitrate is known.
    public var targetLayer: Int? { selector.target }
    /// The viewer's bandwidth estimate at `now`.
    public func estimate(now: UInt64) -> UInt64? { estimator.estimate(now: now) }

    /// Forwards packet `sequence` of `layer` into `out`; returns its length, or `nil` to send
    /// nothing (another layer than the viewer's, waiting for a key frame, or gone from history).
    public func forward(layer: Int, sequence: UInt16, now: UInt64, into out: UnsafeMutableRawBufferPointer) -> Int? {
        let current = rewriter.currentLayer
        if let current, !awaitingNewSource, histories.indices.contains(current),
            histories[current].generation != startedGeneration
        {
            // What follows in the history does not continue what the viewer decoded: a gap it
            // would wait on forever. Start again on a key frame, numbered on from the last packet.
            restartAtKeyframe()
        }
        let wanted = selector.target ?? (awaitingNewSource ? layer : current ?? layer)
        var switching = layer != current || awaitingNewSource
        // Packets of layers the viewer neither gets nor waits for are skipped before the copy:
        // with three simulcast layers, most notices a viewer sees are of other layers.
        if switching && layer != wanted {
            skippedCount += 1
            return nil
        }
        guard histories.indices.contains(layer) else {
            droppedCount += 1
            return nil
        }
        // Read before the packet: a break marked after this load is then seen at the next one.
        let generation = histories[layer].generation
        guard let stored = histories[layer].load(sequence: sequence, into: scratch) else {
            droppedCount += 1
            return nil
        }
        let source = UnsafeRawBufferPointer(rebasing: scratch[0..<stored.length])
        if !switching,
            !rewriter.continuesCurrentSource(
                source, layer: layer, now: now, misorderWindow: histories[layer].capacity)
        {
            // Another stream under the same SSRC: a publisher reconnected upstream of a relay
            // link. Its packets carry new numbers and times; start again on its key frame.
            restartAtKeyframe()
            switching = true
            if layer != wanted {
                askForKeyframe(layer: wanted, now: now)
                skippedCount += 1
                return nil
            }
        }
        if switching {
            guard stored.isKeyframeStart, startsItsFrame(layer: layer, sequence: sequence, length: stored.length) else {
                askForKeyframe(layer: wanted, now: now)
                skippedCount += 1
                return nil
            }
            wantedKeyframe = nil
            awaitingNewSource = false
            startedGeneration = generation
        } else if wanted != layer {
            askForKeyframe(layer: wanted, now: now)
        }
        guard let length = rewriter.rewrite(source, layer: layer, now: now, into: out) else {
            droppedCount += 1
            return nil
        }
        forwardedCount += 1
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: length - rewriter.headerLength)
        return length
    }

    /// Answers the viewer's NACK of outgoing sequence number `nackedSequence` (RFC 4585 §6.2.1)
    /// into `out`, as RTX when negotiated; `nil` when the packet is no longer available.
    public func retransmit(nackedSequence: UInt16, now: UInt64, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard let origin = rewriter.origin(ofOutgoing: nackedSequence), histories.indices.contains(origin.layer),
            let stored = histories[origin.layer].load(sequence: origin.sourceSequence, into: scratch)
        else {
            droppedCount += 1
            return nil
        }
        let source = UnsafeRawBufferPointer(rebasing: scratch[0..<stored.length])
        let target = retransmission == nil ? out : retransmissionScratch
        guard
            let length = rewriter.rewriteRetransmission(
                source, outgoingSequence: nackedSequence, now: now, into: target)
        else {
            droppedCount += 1
            return nil
        }
        guard let retransmission else {
            retransmittedCount += 1
            return length
        }
        guard
            let wrapped = RTXPacket.wrap(
                UnsafeRawBufferPointer(rebasing: retransmissionScratch[0..<length]), ssrc: retransmission.ssrc,
                payloadType: retransmission.payloadType, sequence: rtxSequence, into: out)
        else {
            droppedCount += 1
            return nil
        }
        rtxSequence &+= 1
        retransmittedCount += 1
        return wrapped
    }

    /// Follows a publisher's reconnect: the same viewer stream (the rewriter keeps sequence
    /// numbers and timestamps continuous) now reads the new publisher's layers, starting at
    /// its first key frame. `sourceCaptureTimeID` is the new publisher's abs-capture-time ID.
    public func switchSource(to histories: [PacketHistory], sourceCaptureTimeID: UInt8? = nil) {
        self.histories = histories
        rewriter.sourceCaptureTimeID = sourceCaptureTimeID
        let order = selector.order
        selector = SimulcastLayerSelector(layerCount: histories.count)
        selector.setOrder(order)
        restartAtKeyframe()
    }

    /// Waits for a key frame and continues the outgoing numbering from there (the source may
    /// keep its SSRC: origins keep mesh SSRCs across publisher reconnects).
    private func restartAtKeyframe() {
        awaitingNewSource = true
        wantedKeyframe = nil
        rewriter.beginNewSource()
    }

    /// How far back ``startsItsFrame(layer:sequence:length:)`` looks for an earlier packet of the
    /// same frame: an H.264 access unit may put an AUD, SPS, PPS and SEI before its IDR slice.
    static let frameStartLookBack: UInt16 = 8

    /// Whether the key frame packet `sequence` of `layer`, loaded into `scratch`, is where its
    /// frame starts for a decoder: no earlier packet of the same frame (same RTP timestamp,
    /// RFC 3550 §5.1) is a key frame start too.
    ///
    /// H.264 marks both the packet with the SPS and the one that starts the IDR slice
    /// (``KeyframeDetector``), and libwebrtc sends them apart (a STAP-A of SPS and PPS, then the
    /// IDR's FU-As, RFC 6184 §5.7.1, §5.8). A viewer that starts on the IDR has missed the
    /// parameter sets: after a layer switch its decoder applies the old layer's SPS (same id,
    /// other size) to the new picture; a new viewer cannot decode at all, and receivers that
    /// send no PLI on a decoding error (aiortc) wait for the next key frame. VP8 and VP9 mark
    /// only a frame's first packet, so this never refuses them. A packet gone from the history
    /// ends the search: starting is the better guess than waiting.
    private func startsItsFrame(layer: Int, sequence: UInt16, length: Int) -> Bool {
        guard length >= 8 else { return true }
        let timestamp = UnsafeRawBufferPointer(scratch).loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        for back in 1...Self.frameStartLookBack {
            guard let earlier = histories[layer].load(sequence: sequence &- back, into: retransmissionScratch),
                earlier.length >= 8,
                UnsafeRawBufferPointer(retransmissionScratch).loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                    == timestamp
            else { return true }
            if earlier.isKeyframeStart { return false }
        }
        return true
    }

    /// The layer to ask the publisher for a key frame of, once; `nil` when none is needed.
    public func takeKeyframeRequest() -> Int? {
        defer { keyframeRequest = nil }
        return keyframeRequest
    }

    /// The publisher's measured bitrate of `layer` changed (0: it stopped).
    public func setLayerBitrate(_ bitsPerSecond: UInt64, layer: Int, now: UInt64) {
        selector.setBitrate(bitsPerSecond, layer: layer)
        selectLayer(now: now)
    }

    /// Once a second: what was sent over the last second goes to the estimator, so that a loss
    /// report cuts from the rate the viewer actually got (GCC's As, draft-ietf-rmcat-gcc-02 §6).
    public func recordSecond() {
        estimator.recordSendRate(UInt64(octetsSent &- octetsAtLastSecond) * 8)
        octetsAtLastSecond = octetsSent
    }

    /// The producer ranked the layers by what they carry (``LayerOrder``).
    public func setLayerOrder(_ order: LayerOrder, now: UInt64) {
        guard order != selector.order else { return }
        selector.setOrder(order)
        selectLayer(now: now)
    }

    /// The layers from lowest to highest, as last set.
    public var layerOrder: LayerOrder { selector.order }

    /// Re-chooses the target: before any report from the viewer, from the estimator's starting
    /// estimate (so a new viewer starts on the highest layer that fits it, not the lowest).
    private func selectLayer(now: UInt64) {
        // Until a layer is forwarded there is nothing to hold on to: the layer rates come in one
        // by one, and the first one measured must not stick as if the viewer were watching it.
        if rewriter.currentLayer == nil { selector.forgetTarget() }
        selector.select(estimate: estimator.estimate(now: now) ?? estimator.startingEstimate(now: now), now: now)
    }

    /// How far above the forwarded layer's rate a REMB must be to count as "not congested".
    /// A receiver's AIMD estimate climbs to about 1.5 times what it receives and stops there
    /// (RFC 8698-style receive-side estimation), so REMB alone never reveals room for a layer
    /// the viewer is not getting yet.
    static let uncongestedRatio = 1.4

    /// The viewer sent a REMB (draft-alvestrand-rmcat-remb §2.2).
    ///
    /// When the REMB sits near its ceiling over the current layer's rate, the viewer is limited
    /// by what we send, not by its link: the next layer is tried (the selector's hold time
    /// after a downgrade keeps a link that cannot carry it from flapping). This probes with
    /// real media instead of padding.
    public func receivedREMB(bitrate: UInt64, now: UInt64) {
        var usable = bitrate
        if let current = rewriter.currentLayer {
            let currentRate = Double(selector.bitrate(layer: current))
            let next = selector.nextFlowing(above: current)
            if currentRate > 0, Double(bitrate) >= Self.uncongestedRatio * currentRate, let next {
                usable = max(bitrate, UInt64(Double(selector.bitrate(layer: next)) * selector.upgradeHeadroom * 1.05))
            }
        }
        estimator.receivedREMB(bitrate: usable)
        selectLayer(now: now)
    }

    /// The viewer's receiver report block for this stream (RFC 3550 §6.4.1): its loss fraction,
    /// and the round trip and received rate that show a queue building (``ViewerPathMonitor``).
    public func receivedReport(_ block: ReceptionReport, now: UInt64) {
        estimator.receivedLossReport(fractionLost: block.fractionLost, now: now)
        guard block.ssrc == rewriter.configuration.ssrc else { return }  // not the RTX stream's block
        let bytesPerPacket = rewriter.headerLength + Int(octetsSent / max(packetsSent, 1))
        if let queueing = path.received(block, bytesPerPacket: bytesPerPacket, now: now) {
            estimator.receivedQueueing(queueing, receivedRate: path.receivedRate, now: now)
        }
        selectLayer(now: now)
    }

    /// Caps the viewer's bitrate until `expiry` (a WHEP query parameter sets it).
    public func setBitrateCap(_ bitsPerSecond: UInt64, until expiry: UInt64, now: UInt64) {
        estimator.setCap(bitrate: bitsPerSecond, until: expiry)
        selectLayer(now: now)
    }

    /// Lifts the cap.
    public func liftBitrateCap(now: UInt64) {
        estimator.liftCap()
        selectLayer(now: now)
    }

    /// The viewer's SR at NTP time `ntpNow`, from the publisher's clock of the current layer;
    /// `nil` before anything was forwarded or before the publisher's first SR.
    /// `now` (monotonic) is when it goes: the viewer's report blocks echo it for the round trip.
    public func senderReport(clock: SenderReportClock, ntpNow: UInt64, now: UInt64 = 0) -> SenderReport? {
        guard let offset = rewriter.timestampOffset,
            let report = clock.senderReport(
                ssrc: rewriter.configuration.ssrc, ntpNow: ntpNow, timestampOffset: offset, packetCount: packetsSent,
                octetCount: octetsSent)
        else { return nil }
        path.sentSenderReport(ntpTimestamp: ntpNow, at: now)
        return report
    }

    private func askForKeyframe(layer: Int, now: UInt64) {
        if let wanted = wantedKeyframe, wanted.layer == layer, now &- wanted.asked < Self.keyframeRetryInterval {
            return
        }
        wantedKeyframe = (layer, now)
        keyframeRequest = layer
    }
}
