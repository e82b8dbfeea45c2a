import Foundation
import MeshRecording
import MeshTestSupport

/// Writes clips' frames through a ``MatroskaSegmentWriter``, audio and video handed over in
/// arrival order (by time, video first on ties), as a recorder would.
enum RecordingClips {
    /// Video on track 1, audio on track 2.
    static func write(
        video: [ClipFrame], audio: [ClipFrame], to writer: MatroskaSegmentWriter
    ) throws {
        var videoIndex = 0
        var audioIndex = 0
        while videoIndex < video.count || audioIndex < audio.count {
            let takeVideo =
                audioIndex >= audio.count
                || (videoIndex < video.count && video[videoIndex].milliseconds <= audio[audioIndex].milliseconds)
            let frame = takeVideo ? video[videoIndex] : audio[audioIndex]
            try frame.bytes.withUnsafeBytes {
                try writer.write(
                    track: takeVideo ? 1 : 2, timestamp: frame.milliseconds, isKeyFrame: frame.isKeyFrame, frame: $0)
            }
            if takeVideo { videoIndex += 1 } else { audioIndex += 1 }
        }
    }

    /// Length-prefixed (4-byte) access units for Matroska's H.264 (ISO/IEC 14496-15 §5.3.4.2),
    /// with the first SPS/PPS as the decoder configuration.
    static func h264Frames(_ accessUnits: [[[UInt8]]]) -> (
        frames: [ClipFrame], configuration: H264DecoderConfiguration?
    ) {
        var sps: [UInt8]?
        var pps: [UInt8]?
        var frames: [ClipFrame] = []
        for (index, unit) in accessUnits.enumerated() {
            var bytes: [UInt8] = []
            var key = false
            for nal in unit {
                let type = nal[0] & 0x1F
                if type == 7 && sps == nil { sps = nal }
                if type == 8 && pps == nil { pps = nal }
                key = key || type == 5
                let count = UInt32(nal.count)
                bytes += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
                bytes += nal
            }
            frames.append(ClipFrame(bytes: bytes, milliseconds: Int64(index) * 1000 / 30, isKeyFrame: key))
        }
        guard let sps, let pps else { return (frames, nil) }
        return (frames, H264DecoderConfiguration(sequenceParameterSet: sps, pictureParameterSet: pps))
    }
}
