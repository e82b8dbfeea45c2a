import MeshWire

/// What the embedded tests' publishers send: VP8 packets (RFC 7741) whose last three bytes carry
/// the publisher's sequence number and layer, so a viewer's packets can be traced back whatever
/// the node rewrote in the RTP header and the VP8 descriptor.
enum EmbeddedMedia {
    static let videoPayloadType: UInt8 = 96

    /// One video packet; `keyframe` starts a key frame. `rid` tags a simulcast layer (RFC 8852).
    static func video(
        ssrc: UInt32, sequence: UInt16, keyframe: Bool, layer: UInt8 = 0, rid: String? = nil, size: Int = 0,
        width: UInt16 = 640, height: UInt16 = 360, endsFrame: Bool = true
    ) -> [UInt8] {
        let body = [UInt8](repeating: 0xAB, count: size) + [UInt8(sequence >> 8), UInt8(sequence & 0xFF), layer]
        return SFUTestPacket.rtp(
            sequence: sequence, timestamp: UInt32(sequence) &* 3000, ssrc: ssrc, payloadType: videoPayloadType,
            marker: endsFrame,
            payload: SFUTestPacket.vp8(
                pictureID: sequence & 0x7FFF, tl0: 0, keyframe: keyframe, width: width, height: height, body: body),
            extensions: rid.map { [(id: EmbeddedOffer.ridID, value: Array($0.utf8))] } ?? [])
    }

    /// One Opus packet (RFC 7587), 20 ms of audio: its body carries `sequence` like a video packet's.
    static func audio(ssrc: UInt32, sequence: UInt16) -> [UInt8] {
        SFUTestPacket.rtp(
            sequence: sequence, timestamp: UInt32(sequence) &* 960, ssrc: ssrc, payloadType: EmbeddedOffer.opus,
            marker: false, payload: [0xFC, 0xAB, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0])
    }

    /// The publisher's sequence number and layer that a viewer's packet carries.
    static func origin(of payload: [UInt8]) -> (sequence: UInt16, layer: UInt8)? {
        guard payload.count >= 3 else { return nil }
        let tail = payload.suffix(3).map { $0 }
        return (UInt16(tail[0]) << 8 | UInt16(tail[1]), tail[2])
    }
}

extension EmbeddedPeer {
    /// The video packets received, as (viewer's sequence number, publisher's sequence number, layer).
    var video: [(sequence: UInt16, source: UInt16, layer: UInt8)] {
        guard let ssrc = answer?.ssrcs["1"] else { return [] }
        return received.filter { $0.ssrc == ssrc }.compactMap { packet in
            EmbeddedMedia.origin(of: packet.payload).map { (packet.sequence, $0.sequence, $0.layer) }
        }
    }

    /// Whether the video's sequence numbers run on without a gap (one stream, RFC 3550 §5.1).
    var videoIsContinuous: Bool {
        let sequences = video.map(\.sequence)
        return zip(sequences, sequences.dropFirst()).allSatisfy { $1 == $0 &+ 1 }
    }

    /// The SSRC the node sends this viewer's video with.
    var videoSSRC: UInt32 { answer?.ssrcs["1"] ?? 0 }

    /// Key frame requests (PLI or FIR) the node sent this publisher.
    var keyframeRequests: Int { keyframeRequestSSRCs.count }

    /// The SSRCs of those requests, oldest first.
    var keyframeRequestSSRCs: [UInt32] {
        rtcp.compactMap { feedback in
            if case .keyframeRequest(let ssrc) = feedback { return ssrc }
            return nil
        }
    }

    /// Sequence numbers the node NACKed to this publisher.
    var nacked: [UInt16] {
        rtcp.flatMap { feedback -> [UInt16] in
            if case .nack(let sequences) = feedback { return sequences }
            return []
        }
    }
}
