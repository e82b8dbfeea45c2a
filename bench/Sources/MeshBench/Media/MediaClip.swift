import Foundation

/// One encoded frame (or audio packet) of a clip.
struct MediaFrame: Sendable {
    /// The encoded bytes: a whole VP8 frame, or one Opus packet.
    let bytes: [UInt8]
    /// A VP8 key frame: the frame tag's bit 0 (P, inverse key frame flag) is 0 (RFC 6386 §9.1).
    let isKeyframe: Bool
}

/// A clip loaded once into memory: the frames of one simulcast layer or the audio packets,
/// looped forever by the publisher.
struct MediaClip: Sendable {
    let frames: [MediaFrame]

    /// A VP8 layer from an IVF file.
    static func vp8(ivf bytes: [UInt8]) throws(MediaFileError) -> MediaClip {
        let frames = try IVFReader.frames(in: bytes).map { frame in
            MediaFrame(bytes: frame, isKeyframe: frame.first.map { $0 & 0x01 == 0 } ?? false)
        }
        guard !frames.isEmpty else { throw MediaFileError("IVF: no frames") }
        return MediaClip(frames: frames)
    }

    /// Opus audio from an Ogg Opus file.
    static func opus(ogg bytes: [UInt8]) throws(MediaFileError) -> MediaClip {
        let packets = try OggOpusReader.packets(in: bytes).map { MediaFrame(bytes: $0, isKeyframe: false) }
        guard !packets.isEmpty else { throw MediaFileError("Ogg: no Opus packets") }
        return MediaClip(frames: packets)
    }
}

/// The clips `scripts/make-clips` writes: three VP8 layers (low, medium, high) and audio.
struct MediaClipSet: Sendable {
    /// The RIDs of the layers, lowest first, as the offer announces them.
    static let rids = ["l", "m", "h"]

    /// The nominal bitrate (kbit/s) of each layer scripts/make-clips encodes, in ``rids`` order.
    static let nominalKbps = [150, 500, 1500]

    /// The layer whose nominal bitrate is closest to `kbps` (a scenario's `bitrate_kbps`).
    static func layer(closestTo kbps: Int) -> Int {
        nominalKbps.indices.min { abs(nominalKbps[$0] - kbps) < abs(nominalKbps[$1] - kbps) } ?? 0
    }

    /// VP8 layers in ``rids`` order.
    let layers: [MediaClip]
    let audio: MediaClip

    /// Loads `video-l.ivf`, `video-m.ivf`, `video-h.ivf` and `audio.opus` from `directory`.
    static func load(directory: String) throws -> MediaClipSet {
        func read(_ name: String) throws -> [UInt8] {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MediaFileError("cannot read \(path) (make it with scripts/make-clips)")
            }
            return [UInt8](data)
        }
        let layers = try rids.map { rid in try MediaClip.vp8(ivf: read("video-\(rid).ivf")) }
        return MediaClipSet(layers: layers, audio: try MediaClip.opus(ogg: read("audio.opus")))
    }
}
