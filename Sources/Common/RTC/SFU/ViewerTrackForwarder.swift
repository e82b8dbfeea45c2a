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
    public private(set) var histories: [PacketHistory] {
        didSet { allLayers = Self.mask(layerCount: histories.count) }
    }
    /// A bit for each layer of ``histories``: read per packet by ``wantedLayers``, so kept
    /// rather than counted from the array each time.
    private var allLayers: UInt64
    /// RTX, when negotiated.
    public let retransmission: Retransmission?
    private var rewriter: OutgoingStreamRewriter
    private var selector: SimulcastLayerSelector
    private var estimator: ViewerBandwidthEstimator
    private var path = ViewerPathMonitor()
    /// Proves a higher layer's rate with RTX padding before moving up (only with RTX).
    private var probe = BandwidthProbe()
    private var retransmissionBudget = RetransmissionBudget()
    /// When the first packet went to the viewer.
    private var firstForward: UInt64?
    /// When the last sender report went.
    private var lastSenderReport: UInt64 = 0
    /// Which recent outgoing packet the next padding packet copies.
    private var paddingCursor: UInt16 = 0
    /// The worker's scratch buffers (or this forwarder's own).
    private let buffers: ForwarderScratch
    /// Where a packet is loaded from a history (``startsItsFrame(layer:sequence:length:)`` reads it).
    var scratch: UnsafeMutableRawBufferPointer { buffers.packet }
    /// Where a retransmission is written before its RTX wrapping, and a frame's earlier packets are read.
    var retransmissionScratch: UnsafeMutableRawBufferPointer { buffers.retransmission }
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
    /// Padding packets sent by probes (RTX copies of recent packets).
    public private(set) var paddingCount = 0
    /// Packets of layers the viewer is not getting (not an error).
    public private(set) var skippedCount = 0
    /// Packets sent, retransmissions excluded (the SR sender's packet count, RFC 3550 §6.4.1).
    public private(set) var packetsSent: UInt32 = 0
    /// Payload octets sent, retransmissions excluded (the SR sender's octet count).
    public private(set) var octetsSent: UInt32 = 0
    private var octetsAtLastSecond: UInt32 = 0

    /// A forwarder for the track whose layers are `histories` to the viewer described by `stream`;
    /// `sourceCaptureTimeID` is the abs-capture-time ID the stored packets carry (their
    /// publisher's negotiation), `nil` when they have none. `scratch` is the worker's shared
    /// scratch space (``ForwarderScratch``); without it (or when it is too small for the
    /// histories' packets) the forwarder allocates its own.
    public init(
        stream: OutgoingStreamRewriter.Configuration, histories: [PacketHistory], sourceCaptureTimeID: UInt8? = nil,
        retransmission: Retransmission? = nil, estimator: ViewerBandwidthEstimator.Configuration = .init(),
        scratch: ForwarderScratch? = nil
    ) {
        self.histories = histories
        allLayers = Self.mask(layerCount: histories.count)
        self.retransmission = retransmission
        rewriter = OutgoingStreamRewriter(configuration: stream, sourceCaptureTimeID: sourceCaptureTimeID)
        selector = SimulcastLayerSelector(layerCount: histories.count)
        self.estimator = ViewerBandwidthEstimator(configuration: estimator)
        let size = (histories.map(\.slotSize).max() ?? 1500) + ForwarderScratch.headroom
        buffers = scratch.flatMap { $0.packet.count >= size ? $0 : nil } ?? ForwarderScratch(size: size)
        rtxSequence = retransmission?.initialSequence ?? 0
    }

    /// The layer being forwarded, `nil` before the first key frame.
    public var currentLayer: Int? { rewriter.currentLayer }
    /// The layer the selector wants, `nil` before any layer bitrate is known.
    public var targetLayer: Int? { selector.target }
    /// The layers whose packets ``forward(layer:sequence:now:into:)`` can use now, a bit per
    /// layer index: the one forwarded and the one switched to; every layer while a first or new
    /// source is awaited with no target yet (whichever key frame comes first starts the viewer).
    /// Packets of other layers would only be skipped, so their workers need not be told of them.
    public var wantedLayers: UInt64 {
        let current = awaitingNewSource ? nil : rewriter.currentLayer
        guard let target = selector.target else { return current.map { 1 << UInt64($0) } ?? allLayers }
        return (1 << UInt64(target) | (current.map { 1 << UInt64($0) } ?? 0)) & allLayers
    }

    private static func mask(layerCount: Int) -> UInt64 {
        layerCount >= 64 ? .max : (1 << UInt64(layerCount)) - 1
    }

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
        if firstForward == nil { firstForward = now }
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: length - rewriter.headerLength)
        return length
    }

    /// Answers the viewer's NACK of outgoing sequence number `nackedSequence` (RFC 4585 §6.2.1)
    /// into `out`, as RTX when negotiated; `nil` when the packet is no longer available.
    /// Retransmissions are held to a share of what the viewer was sent (``RetransmissionBudget``).
    public func retransmit(nackedSequence: UInt16, now: UInt64, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard retransmissionBudget.allows, let length = copy(outgoingSequence: nackedSequence, now: now, into: out)
        else {
            droppedCount += 1
            return nil
        }
        retransmissionBudget.spend(length)
        retransmittedCount += 1
        return length
    }

    /// Writes outgoing packet `sequence` again into `out`, as RTX when negotiated.
    private func copy(outgoingSequence nackedSequence: UInt16, now: UInt64, into out: UnsafeMutableRawBufferPointer)
        -> Int?
    {
        // Only packets of the layer the viewer has now: after a switch its decoder starts from
        // the new layer's key frame, and resending the old layer's losses behind a bottleneck
        // only keeps the queue that made the viewer switch full.
        guard let origin = rewriter.origin(ofOutgoing: nackedSequence), origin.layer == rewriter.currentLayer,
            histories.indices.contains(origin.layer),
            let stored = histories[origin.layer].load(sequence: origin.sourceSequence, into: scratch)
        else { return nil }
        let source = UnsafeRawBufferPointer(rebasing: scratch[0..<stored.length])
        let target = retransmission == nil ? out : retransmissionScratch
        guard
            let length = rewriter.rewriteRetransmission(
                source, outgoingSequence: nackedSequence, now: now, into: target)
        else { return nil }
        guard let retransmission else { return length }
        guard
            let wrapped = RTXPacket.wrap(
                UnsafeRawBufferPointer(rebasing: retransmissionScratch[0..<length]), ssrc: retransmission.ssrc,
                payloadType: retransmission.payloadType, sequence: rtxSequence, into: out)
        else { return nil }
        rtxSequence &+= 1
        return wrapped
    }

    /// The next padding packet of a probe (``BandwidthProbe``) into `out`, or `nil` when none is
    /// owed now; starts one when due (RTX negotiated, settled on a layer). The padding is an RTX
    /// copy of one of the last packets the viewer got, so it costs the viewer nothing.
    public func padding(now: UInt64, into out: UnsafeMutableRawBufferPointer) -> Int? {
        guard retransmission != nil, let current = rewriter.currentLayer, !awaitingNewSource,
            selector.target == current
        else {
            probe.cancel()
            return nil
        }
        guard
            probe.attempt != nil
                || probe.startIfDue(
                    above: current, of: selector, estimate: estimator.estimate(now: now), cap: estimator.cap(now: now),
                    now: now)
        else { return nil }
        let clustered = estimator.rembBitrate == nil
        guard probe.owed(mediaRate: selector.bitrate(layer: current), now: now, clustered: clustered) > 0 else {
            return nil
        }
        // The last eight packets in turn: recent enough to be in every history, and a copy of
        // a packet the viewer has is dropped by its jitter buffer.
        paddingCursor = (paddingCursor &+ 1) & 7
        guard let length = copy(outgoingSequence: rewriter.lastSequence &- paddingCursor, now: now, into: out)
        else {
            probe.cancel()
            return nil
        }
        probe.paid(length, now: now)
        paddingCount += 1
        return length
    }

    /// Whether this track's probe pads at `now` (``BandwidthProbe/isPadding(now:)``).
    public func isPadding(now: UInt64) -> Bool { probe.isPadding(now: now) }

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
        let bytes = Int(octetsSent &- octetsAtLastSecond)
        estimator.recordSendRate(UInt64(bytes) * 8)
        octetsAtLastSecond = octetsSent
        retransmissionBudget.refill(sentBytes: bytes)
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
        // Without RTX there is no padding to probe with: a REMB well over the current layer's
        // rate moves the viewer up on trust.
        if retransmission == nil, let current = rewriter.currentLayer {
            let currentRate = Double(selector.bitrate(layer: current))
            let next = selector.nextFlowing(above: current)
            if currentRate > 0, Double(bitrate) >= Self.uncongestedRatio * currentRate, let next {
                usable = max(bitrate, UInt64(Double(selector.bitrate(layer: next)) * selector.upgradeHeadroom * 1.05))
            }
        }
        if estimator.receivedREMB(bitrate: usable) { probe.congestion(now: now) }
        selectLayer(now: now)
    }

    /// The viewer's receiver report block for this stream (RFC 3550 §6.4.1): its loss fraction,
    /// and the round trip and received rate that show a queue building (``ViewerPathMonitor``).
    /// The RTX stream's blocks are not read: its losses are padding and retransmissions lost,
    /// and they would count the same interval twice.
    public func receivedReport(_ block: ReceptionReport, now: UInt64) {
        guard block.ssrc == rewriter.configuration.ssrc else { return }
        let bytesPerPacket = rewriter.headerLength + Int(octetsSent / max(packetsSent, 1))
        let queueing = path.received(block, bytesPerPacket: bytesPerPacket, now: now)
        // A queue or loss that a probe's padding made goes when the padding stops: it fails the
        // probe and cuts nothing (the rate the viewer receives does not count the padding).
        let padded = probe.paddedRecently(now: now)
        if !padded {
            estimator.receivedLossReport(fractionLost: block.fractionLost, receivedRate: path.receivedRate, now: now)
            if let queueing { estimator.receivedQueueing(queueing, receivedRate: path.receivedRate, now: now) }
        }
        // 2 % loss (5/256) or a queue: the path is full.
        if block.fractionLost >= 5 || (queueing ?? 0) > 0 {
            probe.congestion(now: now)
        } else if let proven = probe.cleanReport(
            queueing: queueing.map { _ in path.lastQueueing }, measuredAt: path.echoedReportTime, now: now)
        {
            estimator.proved(bitrate: proven)
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
        lastSenderReport = now
        return report
    }

    /// Whether a sender report should go now for a probe (``BandwidthProbe/wantsSenderReport``).
    public func probeWantsSenderReport(now: UInt64) -> Bool {
        probe.wantsSenderReport(firstForward: firstForward, lastReport: lastSenderReport, now: now)
    }

    private func askForKeyframe(layer: Int, now: UInt64) {
        if let wanted = wantedKeyframe, wanted.layer == layer, now &- wanted.asked < Self.keyframeRetryInterval {
            return
        }
        wantedKeyframe = (layer, now)
        keyframeRequest = layer
    }
}
