import MeshRTC
import MeshRecording
import MeshWire

/// One tapped track on its way into a file: RTP packets (in sequence order, from the
/// ``StreamTap``) → its codec's depacketizer → whole frames with wall-clock times from the
/// publisher's sender reports (``TrackClock``).
struct TrackIngest {
    /// A frame out of the depacketizer; `bytes` are valid only inside the callback.
    struct Frame {
        /// Wall time of the frame, nanoseconds on the NTP timescale, by the clock's anchor.
        let wallTime: Int64
        /// The same by the latest sender report: the time to write once the recording adopts it
        /// at a cut (``adoptLatestClock()``).
        let latestWallTime: Int64
        /// A video key frame (always true for audio).
        let isKeyFrame: Bool
        /// The frame.
        let bytes: UnsafeRawBufferPointer
    }

    /// A stretch the track lost, on the wall clock.
    struct Gap {
        /// Wall time where it began, ns.
        let start: Int64
        /// Wall time where the track resumed, ns.
        let end: Int64
        /// Why.
        let reason: RecordingGap.Reason
    }

    let track: TappedTrack
    private(set) var clock: TrackClock
    // One of these is set, by codec: optionals rather than an enum, so that a push mutates the
    // depacketizer in place instead of copying its frame buffer out of an enum payload.
    private var vp8: VP8Depacketizer?
    private var vp9: VP9Depacketizer?
    private var h264: H264Depacketizer?
    private var opus: OpusDepacketizer?
    private var lastSenderReport: UInt64 = 0
    /// The offsets (NTP ns minus RTP time, on a reference timestamp) of the last sender reports.
    private var offsets: [Int64] = []
    private var referenceRTP: UInt32?
    private var heldOffset: Int64?
    /// How many recent reports the clock's anchor is the earliest of.
    static let reportWindow = 8
    /// How far a track's RTP time may run apart from its arrival time between two packets, or
    /// a sender report from the held mapping, before it counts as a new timeline (a publisher
    /// that reconnected: the origin keeps the tracks and their numbering, but the new sender's
    /// timestamps start anywhere). Report jitter and encoder delay are tens of milliseconds.
    static let restartTolerance: Int64 = 2_000_000_000
    /// Reports off the held line in a row after which the line itself moved (a sender clock
    /// step) rather than a new sender's report riding on the old one's last packets.
    static let offLineReportsToFollow = 3
    /// How far (seconds of the track's RTP clock) a report's timestamp may lie from the packet
    /// it rides on. A tap hands each packet the layer's latest report, and a stream published
    /// again keeps its layers (the relay link numbers on): until the new publisher reports, its
    /// packets carry the last publisher's pair, whose timestamp is on another timeline (random
    /// bases, RFC 3550 §5.1), and a recording that starts then took it as its first report
    /// (audio an hour ahead of the video). Senders report every few seconds at most.
    static let reportReach: Int64 = 30
    /// The last packet's RTP timestamp and arrival, for ``restartTolerance``.
    private var lastPacket: (rtp: UInt32, arrival: Int64)?
    /// Reports off the held line, latest last, not applied: the new timeline's packets apply
    /// the latest when they come (a report can ride on the old sender's last packets).
    private var offLine: [(ntp: UInt64, rtp: UInt32)] = []
    /// How many times the track's timeline restarted (see ``restartTolerance``).
    private(set) var restarts = 0

    init(track: TappedTrack) {
        self.track = track
        clock = TrackClock(clockRate: Int(track.clockRate))
        switch track.codec {
        case .vp8: vp8 = VP8Depacketizer()
        case .vp9: vp9 = VP9Depacketizer()
        case .h264: h264 = H264Depacketizer()
        case .opus: opus = OpusDepacketizer()
        }
    }

    var isVideo: Bool { track.kind == .video }

    /// Whether this video track waits for a key frame (at its start, or after a loss).
    var isWaitingForKeyFrame: Bool {
        vp8?.isWaitingForKeyFrame ?? vp9?.isWaitingForKeyFrame ?? h264?.isWaitingForKeyFrame ?? false
    }

    /// The Matroska description of the track as far as it is known: video needs the size of a
    /// key frame (and H.264 its SPS and PPS); nil until then.
    func matroskaCodec() -> MatroskaTrack.Codec? {
        if let vp8 { return vp8.dimensions.map { .vp8(width: Int($0.width), height: Int($0.height)) } }
        if let vp9 { return vp9.dimensions.map { .vp9(width: Int($0.width), height: Int($0.height)) } }
        if let h264 {
            guard let size = h264.dimensions, let configuration = h264.decoderConfiguration else { return nil }
            return .h264(width: Int(size.width), height: Int(size.height), decoderConfiguration: configuration)
        }
        // The pre-skip is the segment's decoder pre-roll (SegmentSeries): the encoder's own
        // start-up delay was spent long before the recording began.
        return .opus(channels: max(track.channels, 1), preSkip: MatroskaTrack.opusPreRollSamples)
    }

    /// Feeds one tapped packet; `frame` and `gap` are called for what it completes.
    mutating func push(_ packet: TappedPacket, frame: (Frame) -> Void, gap: (Gap) -> Void) {
        guard let view = try? RTPPacketView(parsing: packet.bytes) else { return }
        if let last = lastPacket {
            let ticks = Int64(Int32(bitPattern: view.timestamp &- last.rtp))
            let media = ticks * 1_000_000_000 / Int64(track.clockRate)
            if abs(media - (packet.arrival - last.arrival)) > Self.restartTolerance { restartTimeline() }
        }
        lastPacket = (view.timestamp, packet.arrival)
        let reportDistance = abs(Int64(Int32(bitPattern: packet.senderReportRTP &- view.timestamp)))
        if packet.senderReportNTP != 0, packet.senderReportNTP != lastSenderReport,
            reportDistance <= Self.reportReach * Int64(track.clockRate)
        {
            lastSenderReport = packet.senderReportNTP
            senderReport(ntp: packet.senderReportNTP, rtp: packet.senderReportRTP)
        }
        let payload = UnsafeRawBufferPointer(rebasing: view.bytes[view.payloadRange])
        let arrival = packet.arrival
        let (sequence, timestamp, marker) = (view.sequenceNumber, view.timestamp, view.marker)
        var clock = self.clock
        defer { self.clock = clock }
        // Closures written at the call, so they stay non-escaping: nothing is allocated per packet.
        if vp8 != nil {
            vp8?.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: payload) {
                Self.route($0, clock: &clock, arrival: arrival, frame: frame, gap: gap)
            }
        } else if vp9 != nil {
            vp9?.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: payload) {
                Self.route($0, clock: &clock, arrival: arrival, frame: frame, gap: gap)
            }
        } else if h264 != nil {
            h264?.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: payload) {
                Self.route($0, clock: &clock, arrival: arrival, frame: frame, gap: gap)
            }
        } else {
            opus?.push(sequence: sequence, timestamp: timestamp, marker: marker, payload: payload) {
                Self.route($0, clock: &clock, arrival: arrival, frame: frame, gap: gap)
            }
        }
    }

    /// Hands the clock the earliest-mapping report of the last ``reportWindow``: a sender that
    /// stamps a report with the time it sent its last packet (aiortc) rather than the capture
    /// instant adds its encoding delay, which varies from frame to frame; followed report by
    /// report, the anchor jumps by tens of milliseconds and frames land out of step with their
    /// neighbours. The earliest mapping is the one with the least delay in it; the window lets
    /// a real drift of the sender's clock through within a few reports.
    private mutating func senderReport(ntp: UInt64, rtp: UInt32) {
        let reference = referenceRTP ?? rtp
        referenceRTP = reference
        let ticks = Int64(Int32(bitPattern: rtp &- reference))
        let offset = TrackClock.nanoseconds(ntp: ntp) - ticks * 1_000_000_000 / Int64(track.clockRate)
        if let held = heldOffset, abs(offset - held) > Self.restartTolerance {
            offLine.append((ntp, rtp))
            guard offLine.count >= Self.offLineReportsToFollow else { return }
            restartTimeline()
            return
        }
        offLine.removeAll(keepingCapacity: true)
        if offsets.count == Self.reportWindow { offsets.removeFirst() }
        offsets.append(offset)
        guard let earliest = offsets.min(), earliest != heldOffset else { return }
        heldOffset = earliest
        // The earliest mapping, as an NTP/RTP pair at the reference timestamp.
        let nanoseconds = UInt64(max(earliest, 0))
        let seconds = nanoseconds / 1_000_000_000
        let fraction = ((nanoseconds % 1_000_000_000) << 32) / 1_000_000_000
        clock.senderReport(ntp: seconds << 32 | fraction, rtpTimestamp: reference)
    }

    /// Times the track's frames by its latest sender report from now on (see ``TrackClock``).
    mutating func adoptLatestClock() { clock.adoptLatest() }

    /// The track's timestamps start over (a publisher that reconnected): a new clock, timed by
    /// arrival until a report of the new timeline; the old timeline's reports are forgotten and
    /// the latest report off their line, if any, applied. Unlike at the start of a recording,
    /// the new timeline's frames go into an open file, so a report that comes after them waits
    /// for the next cut (``adoptLatestClock()``): applied at once, it moved the frames after it
    /// back by tens of milliseconds, two of them into one frame slot of a player's grid.
    private mutating func restartTimeline() {
        clock = TrackClock(clockRate: Int(track.clockRate), holdsFirstReport: true)
        offsets.removeAll(keepingCapacity: true)
        heldOffset = nil
        referenceRTP = nil
        restarts += 1
        let waiting = offLine.last
        offLine.removeAll(keepingCapacity: true)
        if let waiting { senderReport(ntp: waiting.ntp, rtp: waiting.rtp) }
    }

    private static func route(
        _ event: DepacketizerEvent, clock: inout TrackClock, arrival: Int64, frame: (Frame) -> Void, gap: (Gap) -> Void
    ) {
        switch event {
        case .frame(let assembled):
            let wall = clock.times(rtpTimestamp: assembled.rtpTimestamp, arrival: arrival)
            frame(
                Frame(
                    wallTime: wall.anchored, latestWallTime: wall.latest, isKeyFrame: assembled.isKeyFrame,
                    bytes: assembled.bytes))
        case .gap(let lost):
            let start = clock.wallTime(rtpTimestamp: lost.startRTPTimestamp, arrival: arrival)
            let end = clock.wallTime(rtpTimestamp: lost.endRTPTimestamp, arrival: arrival)
            gap(Gap(start: start, end: max(end, start), reason: lost.reason))
        }
    }
}
