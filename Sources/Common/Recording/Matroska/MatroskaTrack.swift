/// One track of a recording segment: what goes into its TrackEntry (RFC 9559 §5.1.4.1).
public struct MatroskaTrack: Equatable, Sendable {
    /// The codec and what the TrackEntry needs to describe it.
    public enum Codec: Equatable, Sendable {
        /// VP8 (`V_VP8`), WebM.
        case vp8(width: Int, height: Int)
        /// VP9 (`V_VP9`), WebM.
        case vp9(width: Int, height: Int)
        /// H.264 (`V_MPEG4/ISO/AVC`) with length-prefixed NAL units; Matroska only. The
        /// CodecPrivate is the avcC built from `decoderConfiguration`.
        case h264(width: Int, height: Int, decoderConfiguration: H264DecoderConfiguration)
        /// Opus (`A_OPUS`) with its OpusHead (RFC 7845 §5.1) as CodecPrivate.
        case opus(channels: Int, preSkip: Int)
    }

    /// The track number blocks name (1, 2, ...).
    public let number: Int
    /// The codec.
    public let codec: Codec

    /// A track numbered `number` (from 1) carrying `codec`.
    public init(number: Int, codec: Codec) {
        self.number = number
        self.codec = codec
    }

    /// The Opus pre-skip a recorder's segment declares: 200 ms at 48 kHz. A segment's audio
    /// starts that long before its first video frame: silence, then the 80 ms of frames before
    /// the segment's start (the decoder pre-roll RFC 7845 §4.6 asks for when decoding starts
    /// mid-stream); the decoder decodes and discards them, so the segment's first audible frame
    /// is decoded warm. 200 ms is a whole number of frames at 5 to 60 frames/s, so a player that
    /// moves the file by its audio's start keeps the video on its frame slots.
    public static let opusPreRollSamples = 9600

    /// The track's CodecDelay in milliseconds (RFC 9559 §5.1.4.1.15, a whole number of ms for
    /// the pre-skips used here): its blocks are stored this much after the time they play,
    /// and players subtract it. 0 for video.
    public var codecDelayMilliseconds: Int64 {
        if case .opus(_, let preSkip) = codec { return Int64(preSkip) * 1000 / 48_000 }
        return 0
    }

    /// Whether this is a video track (the tracks whose key frames start clusters and cues).
    public var isVideo: Bool {
        if case .opus = codec { return false }
        return true
    }

    /// Whether only full Matroska can carry it (WebM allows VP8, VP9, AV1, Vorbis and Opus).
    var needsMatroska: Bool {
        if case .h264 = codec { return true }
        return false
    }

    /// Appends this TrackEntry to `buffer`.
    func write(into buffer: inout EBMLBuffer) {
        typealias ID = MatroskaElementID
        let entry = buffer.beginMaster(ID.trackEntry)
        buffer.unsigned(ID.trackNumber, UInt64(number))
        buffer.unsigned(ID.trackUID, UInt64(number))
        buffer.unsigned(ID.trackType, isVideo ? 1 : 2)
        buffer.unsigned(ID.flagLacing, 0)
        switch codec {
        case .vp8(let width, let height):
            buffer.string(ID.codecID, "V_VP8")
            Self.writeVideo(width: width, height: height, into: &buffer)
        case .vp9(let width, let height):
            buffer.string(ID.codecID, "V_VP9")
            Self.writeVideo(width: width, height: height, into: &buffer)
        case .h264(let width, let height, let configuration):
            buffer.string(ID.codecID, "V_MPEG4/ISO/AVC")
            buffer.binary(ID.codecPrivate, configuration.avcC)
            Self.writeVideo(width: width, height: height, into: &buffer)
        case .opus(let channels, let preSkip):
            buffer.string(ID.codecID, "A_OPUS")
            buffer.binary(ID.codecPrivate, Self.opusHead(channels: channels, preSkip: preSkip))
            // RFC 9559 §A.8 / WebM: CodecDelay is the pre-skip in ns, by which every block is
            // stored late; SeekPreRoll 80 ms (RFC 7845 §4.6).
            buffer.unsigned(ID.codecDelay, UInt64(preSkip) * 1_000_000_000 / 48_000)
            buffer.unsigned(ID.seekPreRoll, 80_000_000)
            let audio = buffer.beginMaster(ID.audio)
            buffer.float(ID.samplingFrequency, 48_000)
            buffer.unsigned(ID.channels, UInt64(channels))
            buffer.endMaster(audio)
        }
        buffer.endMaster(entry)
    }

    private static func writeVideo(width: Int, height: Int, into buffer: inout EBMLBuffer) {
        let video = buffer.beginMaster(MatroskaElementID.video)
        buffer.unsigned(MatroskaElementID.pixelWidth, UInt64(max(width, 0)))
        buffer.unsigned(MatroskaElementID.pixelHeight, UInt64(max(height, 0)))
        buffer.endMaster(video)
    }

    /// The identification header of RFC 7845 §5.1: channel mapping family 0 (mono or stereo),
    /// input rate 48 kHz, no output gain.
    static func opusHead(channels: Int, preSkip: Int) -> [UInt8] {
        var head = Array("OpusHead".utf8)
        head.append(1)  // version
        head.append(UInt8(clamping: channels))
        head.append(UInt8(truncatingIfNeeded: preSkip))
        head.append(UInt8(truncatingIfNeeded: preSkip >> 8))
        head.append(contentsOf: [0x80, 0xBB, 0x00, 0x00])  // 48000, little-endian
        head.append(contentsOf: [0x00, 0x00, 0x00])  // output gain 0, mapping family 0
        return head
    }
}
