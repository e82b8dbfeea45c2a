import MeshCrypto
import MeshWire

/// The downstream end of one relay link: decrypts media, keeps each track's reception
/// statistics and retransmission buffer, asks upstream for what this hop lacks (hop-by-hop
/// NACK), merges local key frame requests per track, reports every second, and watches the
/// link's liveness.
///
/// Sans-IO: the caller passes time in and moves bytes through its own buffers; receiving and
/// feedback allocate nothing. One worker owns it.
public final class LinkReceiver {
    /// What one datagram from the upstream end was.
    public enum Inbound: Sendable, Equatable {
        /// An RTP packet of subscribed track `ssrc`, decrypted in place: `buffer[0..<length]`.
        /// It is already stored in the track's retransmission buffer.
        case media(ssrc: UInt32, length: Int, keyframe: Bool)
        /// RTCP from the upstream end (a sender report / keepalive), handled; the tracks'
        /// publisher clocks it carried wait for ``takeSenderReports(_:)``.
        case control
        /// Dropped; the reason is counted in ``statistics``.
        case dropped
    }

    /// One subscribed track.
    struct Track {
        let ssrc: UInt32
        let codec: CodecKind
        var statistics: ReceiveStatistics
        var nacks: NACKRequester
        var keyframes: KeyframeRequestGate
        let history: PacketHistory?
        /// The publisher's NTP/RTP pair last relayed for the track, not yet taken by
        /// ``takeSenderReports(_:)``.
        var relayedSenderReport: SenderReportClock.Mapping?
    }

    /// The SSRC this end sends its RTCP under.
    public let linkSSRC: UInt32
    /// Timers in use.
    public let configuration: LinkConfiguration
    /// Counters.
    public private(set) var statistics = LinkReceiverStatistics()
    /// The round-trip time (ns) NACK retries are spaced by. The upstream end measures it
    /// (``LinkSender``); the control plane may pass its figure here.
    public var roundTripTime: UInt64

    private var media: SRTPReceiver
    private var feedback: SRTPSender
    var tracks: [Track] = []
    private var trackIndex: [UInt32: Int] = [:]
    private let scratch: UnsafeMutableRawBufferPointer
    private let start: UInt64
    /// When an authenticated datagram (media or keepalive) last arrived.
    public private(set) var lastHeard: UInt64?
    private var lastReport: UInt64?
    /// The upstream end's RTCP SSRC, learnt from its sender reports.
    public private(set) var upstreamSSRC: UInt32?
    private var lastSenderReportNTP: UInt64 = 0
    private var lastSenderReportArrival: UInt64 = 0

    /// The downstream end of a link keyed with `keys`, sending RTCP as `linkSSRC`, created at
    /// `now` (the liveness clock starts here).
    public init(
        keys: LinkKeys, linkSSRC: UInt32, now: UInt64, configuration: LinkConfiguration = .init()
    ) throws(SRTPError) {
        self.linkSSRC = linkSSRC
        self.configuration = configuration
        roundTripTime = configuration.initialRoundTripTime
        media = try SRTPReceiver(
            keys.downstream, replayWindow: configuration.replayWindow, maximumSSRCs: configuration.maximumSSRCs)
        feedback = try SRTPSender(keys.upstream, replayWindow: configuration.replayWindow)
        scratch = .allocate(byteCount: 2048, alignment: 16)
        start = now
        tracks.reserveCapacity(64)
    }

    deinit { scratch.deallocate() }

    // MARK: Tracks (control plane)

    /// Accepts track `ssrc` of `codec` on the link, storing its packets into `history` (the
    /// buffer this hop answers its own downstream NACKs and viewers from).
    public func addTrack(ssrc: UInt32, codec: CodecKind, history: PacketHistory?) {
        guard trackIndex[ssrc] == nil else { return }
        trackIndex[ssrc] = tracks.count
        tracks.append(
            Track(
                ssrc: ssrc, codec: codec, statistics: ReceiveStatistics(ssrc: ssrc, clockRate: codec.clockRate),
                nacks: NACKRequester(configuration: configuration.nack),
                keyframes: KeyframeRequestGate(interval: configuration.keyframeRequestInterval), history: history))
    }

    /// Stops accepting track `ssrc`.
    public func removeTrack(ssrc: UInt32) {
        guard let index = trackIndex.removeValue(forKey: ssrc) else { return }
        tracks.swapAt(index, tracks.count - 1)
        tracks.removeLast()
        if index < tracks.count { trackIndex[tracks[index].ssrc] = index }
    }

    /// The accepted tracks' SSRCs.
    public var trackSSRCs: Set<UInt32> { Set(trackIndex.keys) }

    /// The reception statistics of track `ssrc`.
    public func receiveStatistics(ssrc: UInt32) -> ReceiveStatistics? {
        trackIndex[ssrc].map { tracks[$0].statistics }
    }

    /// Sequence numbers of track `ssrc` this hop still lacks.
    public func missingSequences(ssrc: UInt32) -> [UInt16] {
        trackIndex[ssrc].map { tracks[$0].nacks.missingSequences } ?? []
    }

    // MARK: Liveness

    /// True when nothing authenticated (media or keepalive) has arrived for the liveness
    /// timeout (2 s): the node should re-path and re-subscribe (DESIGN.md "Relay links").
    public func isDown(now: UInt64) -> Bool {
        now &- (lastHeard ?? start) >= configuration.livenessTimeout
    }

    // MARK: Receiving

    /// Handles one datagram from the upstream end, decrypted in place in `buffer[0..<length]`.
    /// RTP and RTCP share the 5-tuple and are told apart by the second byte (RFC 5761 §4).
    public func receive(_ buffer: UnsafeMutableRawBufferPointer, length: Int, now: UInt64) -> Inbound {
        guard length >= 8, length <= buffer.count else {
            statistics.malformed &+= 1
            return .dropped
        }
        let secondByte = buffer[1]
        if (192...223).contains(secondByte) { return receiveControl(buffer, length: length, now: now) }
        guard length >= 12 else {
            statistics.malformed &+= 1
            return .dropped
        }
        let plain: Int
        do {
            plain = try media.unprotectRTP(buffer, length: length)
        } catch {
            count(error)
            return .dropped
        }
        lastHeard = now
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<plain])
        guard let packet = try? RTPPacketView(parsing: bytes) else {
            statistics.malformed &+= 1
            return .dropped
        }
        guard let index = trackIndex[packet.ssrc] else {
            statistics.packetsUnknownSSRC &+= 1
            return .dropped
        }
        let isKeyframeStart = KeyframeDetector.isKeyframeStart(tracks[index].codec, payload: packet.payload)
        tracks[index].statistics.record(
            sequence: packet.sequenceNumber, rtpTimestamp: packet.timestamp, arrival: now, size: plain)
        tracks[index].nacks.received(sequence: packet.sequenceNumber, now: now)
        if isKeyframeStart && tracks[index].codec.mediaKind == .video {
            tracks[index].keyframes.keyframeArrived(now: now)
        }
        tracks[index].history?.store(
            bytes, sequence: packet.sequenceNumber, arrival: now, isKeyframeStart: isKeyframeStart)
        statistics.packetsReceived &+= 1
        statistics.bytesReceived &+= plain
        return .media(ssrc: packet.ssrc, length: plain, keyframe: isKeyframeStart)
    }

    private func receiveControl(_ buffer: UnsafeMutableRawBufferPointer, length: Int, now: UInt64) -> Inbound {
        let plain: Int
        do {
            plain = try media.unprotectRTCP(buffer, length: length)
        } catch {
            count(error)
            return .dropped
        }
        lastHeard = now
        var iterator = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<plain]))
        var first = true
        while true {
            let view: RTCPPacketView?
            do { view = try iterator.next() } catch {
                statistics.malformed &+= 1
                return .dropped
            }
            guard let view else { return .control }
            defer { first = false }
            guard view.packetType == RTCPPacketType.senderReport, let report = try? SenderReport(parsing: view) else {
                continue
            }
            statistics.senderReportsReceived &+= 1
            if first {
                // The compound starts with the sender's own report (RFC 3550 §6.1): the link's.
                upstreamSSRC = report.ssrc
                lastSenderReportNTP = report.ntpTimestamp
                lastSenderReportArrival = now
            } else if let index = trackIndex[report.ssrc] {
                // A track's SR: its publisher's pair, relayed unchanged (``LinkSender``).
                statistics.trackSenderReportsReceived &+= 1
                tracks[index].statistics.receivedSenderReport(ntpTimestamp: report.ntpTimestamp, arrival: now)
                tracks[index].relayedSenderReport = SenderReportClock.Mapping(
                    ntpTimestamp: report.ntpTimestamp, rtpTimestamp: report.rtpTimestamp)
            }
        }
    }

    /// Hands each track's publisher NTP/RTP pair that arrived since the last call to `body`
    /// (mesh SSRC, pair), once. The caller keeps it in the layer's ``SenderReportClock``.
    public func takeSenderReports(_ body: (_ ssrc: UInt32, _ pair: SenderReportClock.Mapping) -> Void) {
        for index in tracks.indices {
            guard let pair = tracks[index].relayedSenderReport else { continue }
            tracks[index].relayedSenderReport = nil
            body(tracks[index].ssrc, pair)
        }
    }

    private func count(_ error: SRTPError) {
        switch error {
        case .authFail: statistics.authenticationFailures &+= 1
        case .replayFail, .replayOld: statistics.replaysDropped &+= 1
        default: statistics.malformed &+= 1
        }
    }

    // MARK: Feedback out

    /// A local viewer of track `ssrc` wants a key frame at `now`. Requests are merged per
    /// track (``KeyframeRequestGate``): the first goes upstream at once as a PLI
    /// (RFC 4585 §6.3.1) through `send`, later ones within the interval are held for ``poll(now:send:)``.
    public func requestKeyframe(ssrc: UInt32, now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        guard let index = trackIndex[ssrc] else { return }
        if tracks[index].keyframes.request(now: now) {
            sendPictureLossIndication(ssrc: ssrc, send: send)
        } else {
            statistics.keyframeRequestsMerged &+= 1
        }
    }

    /// Sends what is due at `now` through `send`: NACKs for packets this hop lacks, held key
    /// frame requests, and a receiver report every report interval. Call every 10–20 ms.
    public func poll(now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        for index in tracks.indices {
            sendNACKs(trackAt: index, now: now, send: send)
            let ssrc = tracks[index].ssrc
            if tracks[index].nacks.takeLossForGood() {
                // Readers of the history wait for a key frame, and one is asked for.
                tracks[index].history?.markDiscontinuity()
                statistics.discontinuities &+= 1
                if tracks[index].codec.mediaKind == .video, tracks[index].keyframes.request(now: now) {
                    sendPictureLossIndication(ssrc: ssrc, send: send)
                }
            }
            if tracks[index].keyframes.poll(now: now) { sendPictureLossIndication(ssrc: ssrc, send: send) }
        }
        if lastReport.map({ now &- $0 >= configuration.reportInterval }) ?? true {
            lastReport = now
            sendReports(now: now, send: send)
        }
    }

    private func sendNACKs(trackAt index: Int, now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        let ssrc = tracks[index].ssrc
        var writer = GenericNACKWriter(buffer: scratch, senderSSRC: linkSSRC, mediaSSRC: ssrc)
        tracks[index].nacks.forEachDue(now: now, rtt: roundTripTime) { sequence in
            statistics.packetsRequested &+= 1
            if writer.add(sequence) { return }
            protectAndSend(length: writer.finish(), send: send)
            statistics.nacksSent &+= 1
            writer = GenericNACKWriter(buffer: scratch, senderSSRC: linkSSRC, mediaSSRC: ssrc)
            _ = writer.add(sequence)
        }
        let length = writer.finish()
        guard length > 0 else { return }
        protectAndSend(length: length, send: send)
        statistics.nacksSent &+= 1
    }

    private func sendPictureLossIndication(ssrc: UInt32, send: (UnsafeRawBufferPointer) -> Void) {
        var writer = ByteWriter(scratch)
        try? LinkRTCPWriter.pictureLossIndication(senderSSRC: linkSSRC, mediaSSRC: ssrc, into: &writer)
        protectAndSend(length: writer.offset, send: send)
        statistics.keyframeRequestsSent &+= 1
    }

    /// Receiver reports (RFC 3550 §6.4.2), 31 blocks at most each: first a block about the
    /// upstream end's SSRC whose LSR/DLSR echo its last sender report (so it can measure RTT;
    /// its loss fields are zero, it sends no RTP), then one block per track that has packets.
    private func sendReports(now: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        var linkBlock: ReceptionReport?
        if let upstreamSSRC {
            let elapsed = now &- lastSenderReportArrival
            // DLSR counts 1/65536 s.
            let delay = elapsed >= UInt64.max >> 16 ? UInt32.max : UInt32(clamping: (elapsed << 16) / 1_000_000_000)
            linkBlock = ReceptionReport(
                ssrc: upstreamSSRC, fractionLost: 0, cumulativeLost: 0, extendedHighestSequenceNumber: 0, jitter: 0,
                lastSenderReport: UInt32(truncatingIfNeeded: lastSenderReportNTP >> 16),
                delaySinceLastSenderReport: delay)
        }
        var next = 0
        var fraction: UInt8 = 0
        var sawTrack = false
        defer { if sawTrack { statistics.fractionLostReported = fraction } }
        repeat {
            var blocks = 0
            var cursor = next
            if linkBlock != nil && next == 0 { blocks += 1 }
            while cursor < tracks.count && blocks < 31 {
                if tracks[cursor].statistics.extendedHighestSequence != nil { blocks += 1 }
                cursor += 1
            }
            guard blocks > 0 else { return }
            var writer = ByteWriter(scratch)
            do {
                try LinkRTCPWriter.receiverReportHeader(ssrc: linkSSRC, blocks: blocks, into: &writer)
                if let linkBlock, next == 0 { try linkBlock.write(into: &writer) }
                for index in next..<cursor where tracks[index].statistics.extendedHighestSequence != nil {
                    let block = tracks[index].statistics.reportBlock(now: now)
                    fraction = max(fraction, block.fractionLost)
                    sawTrack = true
                    try block.write(into: &writer)
                }
            } catch {
                return
            }
            protectAndSend(length: writer.offset, send: send)
            statistics.reportsSent &+= 1
            next = cursor
        } while next < tracks.count
    }

    private func protectAndSend(length: Int, send: (UnsafeRawBufferPointer) -> Void) {
        guard length > 0, let protected = try? feedback.protectRTCP(scratch, length: length) else { return }
        send(UnsafeRawBufferPointer(rebasing: scratch[0..<protected]))
    }
}

@available(*, unavailable, message: "a relay link end belongs to one worker")
extension LinkReceiver: Sendable {}
