/// What one viewer received and measured, copied off its worker for the report.
struct ViewerTally: Sendable {
    /// One received stream's figures.
    struct Stream: Sendable {
        var packets = 0
        var bytes = 0
        var expected = 0
        var lostBeforeRetransmission = 0
        var lostAfterRetransmission = 0
        var recovered = 0
        var jitterMilliseconds = 0.0

        init() {}

        init(_ stream: ReceivedStream) {
            packets = stream.packets
            bytes = stream.bytes
            expected = stream.loss.expected
            lostBeforeRetransmission = stream.loss.lostBeforeRetransmission
            lostAfterRetransmission = stream.loss.lostAfterRetransmission
            recovered = stream.loss.recovered
            jitterMilliseconds = stream.jitterMilliseconds
        }
    }

    let index: Int
    let postedAt: UInt64
    let connectedAt: UInt64?
    let firstRTPAt: UInt64?
    let firstKeyframeAt: UInt64?
    let audio: Stream
    let video: Stream
    let framesCompleted: Int
    let freezeCount: Int
    let frozenNanoseconds: UInt64
    let longestFreezeNanoseconds: UInt64
    /// Video bytes per resolution ("WxH"), which names the simulcast layer.
    let bytesByResolution: [String: Int]
    let nacksSent: Int
    let nackedPackets: Int
    let plisSent: Int
    let dropped: Int
    let failure: String?
    let leftAt: UInt64?

    /// Receiving now: has media, has not failed or left.
    var isWatching: Bool { firstRTPAt != nil && failure == nil && leftAt == nil }

    /// All RTP packets received.
    var packets: Int { audio.packets + video.packets }
    /// Nanoseconds from POST to the first RTP packet.
    var joinTime: UInt64? { firstRTPAt.map { $0 >= postedAt ? $0 - postedAt : 0 } }
    /// Nanoseconds from POST to the first complete key frame.
    var keyframeJoinTime: UInt64? { firstKeyframeAt.map { $0 >= postedAt ? $0 - postedAt : 0 } }
}

extension ViewerTally {
    /// A viewer's figures now (on its worker).
    init(_ viewer: BenchViewer) {
        index = viewer.index
        postedAt = viewer.postedAt
        connectedAt = viewer.connectedAt
        firstRTPAt = viewer.firstRTPAt
        firstKeyframeAt = viewer.frames.firstKeyframeAt
        audio = Stream(viewer.audio)
        video = Stream(viewer.video)
        framesCompleted = viewer.frames.framesCompleted
        freezeCount = viewer.frames.freezeCount
        frozenNanoseconds = viewer.frames.frozenTotal
        longestFreezeNanoseconds = viewer.frames.longestFreeze
        bytesByResolution = viewer.layers.byResolution
        nacksSent = viewer.nacksSent
        nackedPackets = viewer.nackedPackets
        plisSent = viewer.plisSent
        dropped = viewer.dropped
        failure = viewer.failure
        leftAt = viewer.leftAt
    }
}
