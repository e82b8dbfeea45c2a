import MeshCrypto
import MeshWire

/// The upstream end of one relay link: protects every forwarded packet of the subscribed
/// tracks, answers the downstream node's NACKs from the tracks' retransmission buffers, takes
/// its key frame requests and receiver reports, and keeps the link alive with sender reports.
///
/// Sans-IO: the caller passes time in and moves bytes through its own buffers; forwarding,
/// resending and feedback allocate nothing. One worker owns it (SRTP state is not shareable).
///
/// Lost packets are resent unchanged (no RTX, RFC 4588, on links): the downstream hop stores
/// what it receives under the original sequence number, so the original packet is what it
/// lacks. The SRTP sender therefore allows a repeated index (libsrtp `allow_repeat_tx`); that is
/// safe because the bytes are identical.
///
/// Each of its sender reports is a compound (RFC 3550 §6.1): the link's own SR first, then one
/// SR per subscribed track whose publisher clock is known, under the track's mesh SSRC, carrying
/// the publisher's last NTP/RTP pair unchanged (RFC 3550 §6.4.1). Unchanged rather than
/// extrapolated to now: the pair is exact as it stands, a hop adds neither rounding nor its own
/// clock to it, every hop relays the same pair so the downstream node can tell a newer report
/// from a repeat, and only the node that serves viewers extrapolates (once, as the origin does).
public final class LinkSender {
    /// Where the downstream end's feedback landed; returned by ``receiveFeedback(_:length:now:send:keyframeRequested:)``.
    public enum FeedbackOutcome: Sendable, Equatable {
        /// Authenticated and handled.
        case handled
        /// Dropped; the reason is counted in ``statistics``.
        case dropped
    }

    /// The SSRC this end sends its RTCP under (it sends no RTP of its own).
    public let linkSSRC: UInt32
    /// Timers in use.
    public let configuration: LinkConfiguration
    /// Counters and link quality.
    public private(set) var statistics = LinkSenderStatistics()

    private var media: SRTPSender
    private var feedback: SRTPReceiver
    /// Subscribed tracks by mesh SSRC, each with the buffer its NACKs are answered from.
    private var histories: [UInt32: PacketHistory] = [:]
    /// Subscribed tracks' publisher clocks, by mesh SSRC (those subscribed with one).
    private var clocks: [UInt32: RelayedClock] = [:]
    /// How each track forwarded so far is numbered on the link; kept after unsubscribing, so
    /// that a new source of the SSRC continues the numbering (a few bytes per SSRC).
    private var numbering: [UInt32: LinkTrackNumbering] = [:]
    /// Resends and reports are built here: 2048 bytes hold any packet a history slot holds
    /// (1500) plus the SRTP trailer.
    private let scratch: UnsafeMutableRawBufferPointer
    private var recentReports: SentSenderReports
    private var lastSent: UInt64?
    private var lastReport: UInt64?
    /// When authenticated feedback last arrived (monotonic ns).
    public private(set) var lastHeard: UInt64?
    /// Whether the current silence was reported by ``downstreamFellQuiet(now:since:)``.
    private var quietReported = false

    /// The upstream end of a link keyed with `keys`, sending RTCP as `linkSSRC`.
    public init(keys: LinkKeys, linkSSRC: UInt32, configuration: LinkConfiguration = .init())
        throws(SRTPError)
    {
        self.linkSSRC = linkSSRC
        self.configuration = configuration
        media = try SRTPSender(
            keys.downstream, replayWindow: configuration.replayWindow, allowsRepeatedIndex: true,
            maximumSSRCs: configuration.maximumSSRCs)
        feedback = try SRTPReceiver(keys.upstream, replayWindow: configuration.replayWindow)
        scratch = .allocate(byteCount: 2048, alignment: 16)
        recentReports = SentSenderReports()
    }

    deinit { scratch.deallocate() }

    // MARK: Subscriptions (control plane)

    /// Starts forwarding the track `ssrc`, answering NACKs for it out of `history`. The history
    /// holds the packets under the sequence numbers the link carries, unless
    /// `continuingNumbering`: `history` is a new source of an SSRC this link forwarded before (a
    /// publisher reconnected at the origin), whose packets continue the link's numbering of it
    /// (``LinkTrackNumbering``). `senderReport` reads the track's publisher clock
    /// (``SenderReportClock``) for the link's sender reports: called on this end's worker at
    /// each poll, so it must be cheap and thread-safe.
    public func subscribe(
        ssrc: UInt32, history: PacketHistory, continuingNumbering: Bool = false,
        senderReport: (() -> SenderReportClock.Mapping?)? = nil
    ) {
        histories[ssrc] = history
        clocks[ssrc] = senderReport.map { RelayedClock(read: $0) }
        if continuingNumbering { numbering[ssrc]?.continueWithNewSource() }
    }

    /// Stops forwarding the track `ssrc`.
    public func unsubscribe(ssrc: UInt32) {
        histories[ssrc] = nil
        clocks[ssrc] = nil
    }

    /// The mesh SSRCs forwarded on this link.
    public var subscribedSSRCs: Set<UInt32> { Set(histories.keys) }

    /// Whether `ssrc` is forwarded on this link.
    public func isSubscribed(_ ssrc: UInt32) -> Bool { histories[ssrc] != nil }

    // MARK: Media

    /// Copies the RTP `packet` (already carrying its mesh SSRC) into `buffer` and protects it
    /// there; returns the SRTP length, or `nil` when the track is not subscribed on this link
    /// or the packet could not be protected (both counted). `buffer` needs the packet's length
    /// plus 16 bytes (the GCM tag, RFC 7714 §7).
    public func protect(_ packet: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer, now: UInt64)
        -> Int?
    {
        guard packet.count >= 12, let source = packet.baseAddress, let destination = buffer.baseAddress else {
            statistics.protectFailures &+= 1
            return nil
        }
        guard histories[packet.bigEndianUInt32(at: 8)] != nil else {
            statistics.packetsNotSubscribed &+= 1
            return nil
        }
        guard buffer.count >= packet.count &+ media.profile.rtpTrailerLength else {
            statistics.protectFailures &+= 1
            return nil
        }
        destination.copyMemory(from: source, byteCount: packet.count)
        number(buffer)
        guard let length = try? media.protectRTP(buffer, length: packet.count) else {
            statistics.protectFailures &+= 1
            return nil
        }
        statistics.packetsSent &+= 1
        statistics.bytesSent &+= length
        lastSent = now
        return length
    }

    /// Protects the RTP packet in `buffer[0..<length]` (already carrying its mesh SSRC) in place;
    /// returns the SRTP length, or `nil` when the track is not subscribed on this link or the
    /// packet could not be protected (both counted). `buffer` needs `length` plus 16 bytes.
    /// The forwarding path loads packets straight into its send batch, so no copy is needed.
    public func protect(inPlace buffer: UnsafeMutableRawBufferPointer, length: Int, now: UInt64) -> Int? {
        guard length >= 12, buffer.count >= length &+ media.profile.rtpTrailerLength else {
            statistics.protectFailures &+= 1
            return nil
        }
        guard histories[UnsafeRawBufferPointer(buffer).bigEndianUInt32(at: 8)] != nil else {
            statistics.packetsNotSubscribed &+= 1
            return nil
        }
        number(buffer)
        guard let protected = try? media.protectRTP(buffer, length: length) else {
            statistics.protectFailures &+= 1
            return nil
        }
        statistics.packetsSent &+= 1
        statistics.bytesSent &+= protected
        lastSent = now
        return protected
    }

    /// Gives the first transmission in `buffer` (a subscribed track's RTP packet) its link number.
    private func number(_ buffer: UnsafeMutableRawBufferPointer) {
        let bytes = UnsafeRawBufferPointer(buffer)
        let sequence = bytes.bigEndianUInt16(at: 2)
        let link = numbering[bytes.bigEndianUInt32(at: 8), default: LinkTrackNumbering()].send(sequence)
        if link != sequence { buffer.storeBigEndian(link, at: 2) }
    }

    // MARK: Reports and keepalives

    /// Sends a sender report (RFC 3550 §6.4.1) when one is due: every report interval, sooner
    /// as a keepalive once nothing has gone out for the keepalive interval, and at once when a
    /// track's publisher clock has a pair this link has not carried yet (a new publisher report,
    /// a new subscription), so that a downstream node that lost its pair (a moved feed, a
    /// publisher reconnect) gets one within a poll. `ntpTime` is the wall clock in NTP format
    /// (RFC 3550 §4); its middle 32 bits come back as LSR.
    ///
    /// The keepalive is a sender report rather than an empty receiver report because the
    /// downstream end needs an SR to echo for the round-trip time anyway; one packet does both.
    /// Every report carries the tracks' pairs after the link's own SR (see the type's note).
    public func poll(now: UInt64, ntpTime: UInt64, send: (UnsafeRawBufferPointer) -> Void) {
        let reportDue = lastReport.map { now &- $0 >= configuration.reportInterval } ?? true
        let idle = lastSent.map { now &- $0 >= configuration.keepaliveInterval } ?? true
        guard reportDue || idle || clocks.values.contains(where: \.isAhead) else { return }
        var next = clocks.startIndex
        repeat {
            var writer = ByteWriter(scratch)
            do {
                // 28 bytes, and then at most `trackReportsPerPacket` more of 28, fit the scratch buffer.
                try LinkRTCPWriter.senderReport(
                    ssrc: linkSSRC, ntpTimestamp: ntpTime, rtpTimestamp: 0,
                    packetCount: UInt32(truncatingIfNeeded: statistics.packetsSent),
                    octetCount: UInt32(truncatingIfNeeded: statistics.bytesSent), into: &writer)
                next = try writeTrackReports(from: next, into: &writer)
            } catch {
                return
            }
            guard let length = try? media.protectRTCP(scratch, length: writer.offset) else {
                statistics.protectFailures &+= 1
                return
            }
            statistics.senderReportsSent &+= 1
            send(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
        } while next != clocks.endIndex
        recentReports.record(ntpMiddle: UInt32(truncatingIfNeeded: ntpTime >> 16), sentAt: now)
        lastReport = now
        lastSent = now
    }

    /// Track SRs per datagram: with the link's SR, 41 × 28 = 1148 bytes, under any path MTU.
    public static let trackReportsPerPacket = 40

    /// Writes the SRs of tracks with a known pair, from `start` on, until the datagram is full;
    /// returns where the next datagram goes on. Their counts are zero: the downstream end
    /// reads only the pair, and the SRs its viewers get carry their own counts.
    private func writeTrackReports(from start: Dictionary<UInt32, RelayedClock>.Index, into writer: inout ByteWriter)
        throws(ByteWriter.Overflow) -> Dictionary<UInt32, RelayedClock>.Index
    {
        var index = start
        var written = 0
        while index != clocks.endIndex && written < Self.trackReportsPerPacket {
            if let pair = clocks.values[index].read() {
                try LinkRTCPWriter.senderReport(
                    ssrc: clocks.keys[index], ntpTimestamp: pair.ntpTimestamp, rtpTimestamp: pair.rtpTimestamp,
                    packetCount: 0, octetCount: 0, into: &writer)
                clocks.values[index].carried = pair
                statistics.trackSenderReportsSent &+= 1
                written += 1
            }
            index = clocks.index(after: index)
        }
        return index
    }

    /// True when no authenticated feedback has come for the liveness timeout: the downstream
    /// end sends receiver reports several times a second, so silence means it has gone.
    public func isDownstreamSilent(now: UInt64, since start: UInt64) -> Bool {
        now &- (lastHeard ?? start) >= configuration.livenessTimeout
    }

    /// True once per silence: at the first call when no authenticated feedback has come for
    /// the quiet timeout (counted from `start` if none ever came), then false until feedback
    /// arrives and stops again. The downstream end reports several times a second, so this
    /// much silence means its node may be gone: the control plane checks whether it is, while
    /// the link stays up until ``isDownstreamSilent(now:since:)``.
    public func downstreamFellQuiet(now: UInt64, since start: UInt64) -> Bool {
        let quiet = now &- (lastHeard ?? start) >= configuration.quietTimeout
        defer { quietReported = quiet }
        return quiet && !quietReported
    }

    // MARK: Feedback

    /// Handles one SRTCP datagram from the downstream end, decrypted in place in
    /// `buffer[0..<length]`: resends NACKed packets through `send`, reports key frame requests
    /// for subscribed tracks through `keyframeRequested`, and takes RTT and loss from receiver
    /// reports.
    @discardableResult
    public func receiveFeedback(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, now: UInt64,
        send: (UnsafeRawBufferPointer) -> Void, keyframeRequested: (UInt32) -> Void
    ) -> FeedbackOutcome {
        let plain: Int
        do {
            plain = try feedback.unprotectRTCP(buffer, length: length)
        } catch {
            switch error {
            case .authFail: statistics.authenticationFailures &+= 1
            case .replayFail, .replayOld: statistics.replaysDropped &+= 1
            default: statistics.malformedFeedback &+= 1
            }
            return .dropped
        }
        lastHeard = now
        var iterator = RTCPCompoundIterator(UnsafeRawBufferPointer(rebasing: buffer[0..<plain]))
        while true {
            let view: RTCPPacketView?
            do { view = try iterator.next() } catch {
                statistics.malformedFeedback &+= 1
                return .dropped
            }
            guard let view else { return .handled }
            guard let packet = try? RTCPPacket(parsing: view) else {
                statistics.malformedFeedback &+= 1
                continue
            }
            switch packet {
            case .receiverReport(let report):
                receivedReport(report.reportBlocks, now: now)
            case .genericNACK(let nack):
                statistics.nacksReceived &+= 1
                for sequence in nack.lostSequenceNumbers {
                    resend(ssrc: nack.mediaSSRC, sequence: sequence, send: send)
                }
            case .pictureLossIndication(let request):
                if histories[request.mediaSSRC] != nil {
                    statistics.keyframeRequestsReceived &+= 1
                    keyframeRequested(request.mediaSSRC)
                }
            case .fullIntraRequest(let request):
                for entry in request.entries where histories[entry.ssrc] != nil {
                    statistics.keyframeRequestsReceived &+= 1
                    keyframeRequested(entry.ssrc)
                }
            default:
                continue
            }
        }
    }

    /// Resends the original packet `sequence` of `ssrc`, or counts it missing.
    private func resend(ssrc: UInt32, sequence: UInt16, send: (UnsafeRawBufferPointer) -> Void) {
        let trailer = media.profile.rtpTrailerLength
        let room = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(scratch.count - trailer)])
        let historySequence = numbering[ssrc].map { $0.historySequence(ofLink: sequence) } ?? sequence
        guard let history = histories[ssrc], let historySequence,
            let stored = history.load(sequence: historySequence, into: room)
        else {
            statistics.nackedPacketsMissing &+= 1
            return
        }
        // The history may hold the publisher's own SSRC (the origin's case): the link carries the
        // mesh one, and its own number for the packet.
        scratch.storeBigEndian(ssrc, at: 8)
        scratch.storeBigEndian(sequence, at: 2)
        guard let length = try? media.protectRTP(scratch, length: stored.length) else {
            statistics.protectFailures &+= 1
            return
        }
        statistics.packetsResent &+= 1
        send(UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
    }

    /// RTT from the block about this end's SR (RFC 3550 §6.4.1: A - LSR - DLSR, with A taken
    /// as LSR plus the monotonic time since that SR left), loss from the tracks' blocks.
    private func receivedReport(_ blocks: RTCPList<ReceptionReport>, now: UInt64) {
        statistics.reportsReceived &+= 1
        var fraction: UInt8 = 0
        var cumulative: Int64 = 0
        var sawTrack = false
        for block in blocks {
            if block.ssrc == linkSSRC {
                guard block.lastSenderReport != 0, let sentAt = recentReports.sentAt(ntpMiddle: block.lastSenderReport)
                else { continue }
                // DLSR counts 1/65536 s.
                let delay = (UInt64(block.delaySinceLastSenderReport) &* 1_000_000_000) >> 16
                let elapsed = now &- sentAt
                if elapsed >= delay { statistics.roundTripTime = elapsed - delay }
            } else if histories[block.ssrc] != nil {
                sawTrack = true
                fraction = max(fraction, block.fractionLost)
                cumulative &+= Int64(block.cumulativeLost)
            }
        }
        if sawTrack {
            statistics.fractionLost = fraction
            statistics.cumulativeLost = cumulative
        }
    }
}

@available(*, unavailable, message: "a relay link end belongs to one worker")
extension LinkSender: Sendable {}

/// The last few sender reports sent: their NTP middle 32 bits (what a receiver echoes as LSR)
/// and when they left, so a report block's LSR finds its departure time. Eight slots, allocated
/// once and overwritten in place.
struct SentSenderReports {
    private var entries = [Entry](repeating: .empty, count: 8)
    private var next = 0

    struct Entry {
        var ntpMiddle: UInt32
        var sentAt: UInt64
        var valid: Bool
        static let empty = Entry(ntpMiddle: 0, sentAt: 0, valid: false)
    }

    mutating func record(ntpMiddle: UInt32, sentAt: UInt64) {
        entries[next] = Entry(ntpMiddle: ntpMiddle, sentAt: sentAt, valid: true)
        next = (next + 1) % entries.count
    }

    func sentAt(ntpMiddle: UInt32) -> UInt64? {
        entries.first { $0.valid && $0.ntpMiddle == ntpMiddle }?.sentAt
    }
}
