import Foundation

/// One coded frame of a clip: its bytes and its time in ms from the clip's start.
public struct ClipFrame: Sendable {
    /// The coded frame.
    public let bytes: [UInt8]
    /// Its time from the clip's start.
    public let milliseconds: Int64
    /// A key frame (always true for audio).
    public let isKeyFrame: Bool

    /// A frame of `bytes` at `milliseconds`.
    public init(bytes: [UInt8], milliseconds: Int64, isKeyFrame: Bool) {
        self.bytes = bytes
        self.milliseconds = milliseconds
        self.isKeyFrame = isKeyFrame
    }
}

/// Readers for the clips ffmpeg makes, written here from their specifications so the tests do
/// not check MeshRecording against itself.
public enum ClipReaders {
    /// IVF (the libvpx container): a 32-byte header (frame rate at 16, time scale at 20), then
    /// per frame a 12-byte header (size LE32, pts LE64) and the frame. Key frames: VP8's
    /// frame tag bit 0 clear (RFC 6386 §9.1); VP9's frame_type bit clear (VP9 §6.2).
    public static func ivf(_ path: String, vp9: Bool = false) throws -> [ClipFrame] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func le32(_ at: Int) -> Int {
            Int(data[at]) | Int(data[at + 1]) << 8 | Int(data[at + 2]) << 16 | Int(data[at + 3]) << 24
        }
        let rate = le32(16)
        let scale = le32(20)
        var frames: [ClipFrame] = []
        var offset = 32
        while offset + 12 <= data.count {
            let size = le32(offset)
            let pts = le32(offset + 4)
            let frame = Array(data[(offset + 12)..<(offset + 12 + size)])
            // VP9 profile 0: frame marker 10, profile 00, show_existing_frame, then frame_type.
            let key: Bool = vp9 ? (frame[0] >> 4 == 0x8 && frame[0] & 0x0C == 0) : frame[0] & 0x01 == 0
            frames.append(ClipFrame(bytes: frame, milliseconds: Int64(pts * scale * 1000 / rate), isKeyFrame: key))
            offset += 12 + size
        }
        return frames
    }

    /// Ogg Opus (RFC 7845, RFC 3533): packets of the pages after OpusHead and OpusTags, timed
    /// by their TOC's duration (RFC 6716 §3.1, 20 ms here). Returns the pre-skip too.
    public static func oggOpus(_ path: String) throws -> (frames: [ClipFrame], preSkip: Int, channels: Int) {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var packets: [[UInt8]] = []
        var partial: [UInt8] = []
        var offset = 0
        while offset + 27 <= data.count {
            let segments = Int(data[offset + 26])
            var body = offset + 27 + segments
            for index in 0..<segments {
                let lacing = Int(data[offset + 27 + index])
                partial += data[body..<(body + lacing)]
                body += lacing
                if lacing < 255 {
                    packets.append(partial)
                    partial = []
                }
            }
            offset = body
        }
        let head = packets[0]
        let preSkip = Int(head[10]) | Int(head[11]) << 8
        var frames: [ClipFrame] = []
        var time: Int64 = 0
        for packet in packets.dropFirst(2) {
            frames.append(ClipFrame(bytes: packet, milliseconds: time, isKeyFrame: true))
            time += 20
        }
        return (frames, preSkip, Int(head[9]))
    }

    /// Annex B H.264 (ITU-T H.264 Annex B): NAL units after 3- or 4-byte start codes, grouped
    /// into access units at each access unit delimiter (type 9), 30 fps.
    public static func annexB(_ path: String) throws -> [[[UInt8]]] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var units: [[UInt8]] = []
        var start: Int?
        var index = 0
        while index + 3 <= data.count {
            if data[index] == 0 && data[index + 1] == 0 && data[index + 2] == 1 {
                if let start {
                    var end = index
                    while end > start && data[end - 1] == 0 { end -= 1 }
                    units.append(Array(data[start..<end]))
                }
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        if let start { units.append(Array(data[start...])) }
        var accessUnits: [[[UInt8]]] = []
        for unit in units where !unit.isEmpty {
            if unit[0] & 0x1F == 9 || accessUnits.isEmpty { accessUnits.append([]) }
            if unit[0] & 0x1F != 9 { accessUnits[accessUnits.count - 1].append(unit) }
        }
        return accessUnits.filter { !$0.isEmpty }
    }
}
