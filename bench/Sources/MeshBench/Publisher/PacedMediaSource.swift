import MeshWire

/// Turns the clips into RTP at their real pace: every 1/30 s the next frame of each video
/// layer, every 20 ms the next Opus packet, looping the clips with continuous timestamps,
/// sequence numbers and PictureIDs. Each packet is written into one preallocated buffer and
/// handed to `deliver` (the WebRTC publisher encrypts it there, the plain sender sends it):
/// no allocation per packet. Worker thread only.
final class PacedMediaSource {
    /// Nanoseconds per video frame (30 fps) and per audio packet (20 ms).
    static let frameInterval: UInt64 = 1_000_000_000 / 30
    static let audioInterval: UInt64 = 20_000_000
    /// Behind by more than this (a stalled loop), the schedule restarts from now instead of
    /// bursting the backlog out.
    static let maximumLag: UInt64 = 200_000_000
    /// Room for a packet plus the SRTP trailer the transport appends in place.
    static let bufferSize = 2048

    let audio: OutgoingStream
    /// Video layers, lowest first.
    let video: [OutgoingStream]
    /// The buffer the packet being delivered sits in.
    let buffer: UnsafeMutableRawBufferPointer

    private var start: UInt64?
    private var nextFrame = 0
    private var nextAudio = 0
    private var videoStart: UInt64 = 0
    private var audioStart: UInt64 = 0

    init(audio: OutgoingStream, video: [OutgoingStream]) {
        self.audio = audio
        self.video = video
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Every stream, audio first.
    var streams: [OutgoingStream] { [audio] + video }

    /// The stream with `ssrc`, if ours.
    func stream(ssrc: UInt32) -> OutgoingStream? {
        if audio.ssrc == ssrc { return audio }
        for layer in video where layer.ssrc == ssrc { return layer }
        return nil
    }

    /// The RTP timestamp `stream` has at monotonic time `now`, on the same timeline as its
    /// packets (for sender reports, RFC 3550 §6.4.1); `nil` before the first packet.
    func rtpTimestamp(of stream: OutgoingStream, at now: UInt64) -> UInt32? {
        guard start != nil else { return nil }
        let origin = stream.isVideo ? videoStart : audioStart
        let elapsed = now >= origin ? now - origin : 0
        let ticks = elapsed / 1_000 &* UInt64(stream.clockRate) / 1_000_000
        return stream.firstTimestamp &+ UInt32(truncatingIfNeeded: ticks)
    }

    /// Sends what is due at `now`, stamping each packet with capture time `ntp`.
    func tick(now: UInt64, ntp: UInt64, deliver: (OutgoingStream, Int) -> Void) {
        if start == nil {
            start = now
            videoStart = now
            audioStart = now
        }
        if now > videoStart &+ UInt64(nextFrame) &* Self.frameInterval &+ Self.maximumLag {
            videoStart = now &- UInt64(nextFrame) &* Self.frameInterval
        }
        if now > audioStart &+ UInt64(nextAudio) &* Self.audioInterval &+ Self.maximumLag {
            audioStart = now &- UInt64(nextAudio) &* Self.audioInterval
        }
        while videoStart &+ UInt64(nextFrame) &* Self.frameInterval <= now {
            for layer in video { sendFrame(nextFrame, of: layer, now: now, ntp: ntp, deliver: deliver) }
            nextFrame += 1
        }
        while audioStart &+ UInt64(nextAudio) &* Self.audioInterval <= now {
            sendAudio(nextAudio, now: now, ntp: ntp, deliver: deliver)
            nextAudio += 1
        }
    }

    private func sendFrame(
        _ index: Int, of layer: OutgoingStream, now: UInt64, ntp: UInt64, deliver: (OutgoingStream, Int) -> Void
    ) {
        let frame = layer.clip.frames[index % layer.clip.frames.count]
        let timestamp = layer.timestamp(frame: index)
        let buffer = buffer
        var first = true
        frame.bytes.withUnsafeBytes { bytes in
            try? layer.vp8.packetize(
                frame: bytes, timestamp: timestamp, captureNTP: ntp, header: &layer.header, buffer: buffer
            ) { length, sequence in
                let packet = UnsafeRawBufferPointer(rebasing: buffer[..<length])
                layer.sent(
                    packet, sequence: sequence, timestamp: timestamp,
                    isKeyframeStart: first && frame.isKeyframe, now: now)
                first = false
                deliver(layer, length)
            }
        }
    }

    private func sendAudio(_ index: Int, now: UInt64, ntp: UInt64, deliver: (OutgoingStream, Int) -> Void) {
        let packet = audio.clip.frames[index % audio.clip.frames.count]
        let timestamp = audio.timestamp(frame: index)
        let buffer = buffer
        let sequence = audio.header.nextSequence
        let written = packet.bytes.withUnsafeBytes { bytes in
            try? OpusPacketizer.packetize(
                bytes, timestamp: timestamp, captureNTP: ntp, header: &audio.header, buffer: buffer)
        }
        guard let length = written else { return }
        audio.sent(
            UnsafeRawBufferPointer(rebasing: buffer[..<length]), sequence: sequence,
            timestamp: timestamp, isKeyframeStart: false, now: now)
        deliver(audio, length)
    }
}

extension PacedMediaSource {
    /// A source for `clips`: audio, and either the three layers with RIDs or the high layer
    /// alone (no RID), with extension IDs `extensions`.
    static func make(
        clips: MediaClipSet, simulcast: Bool, layer: Int? = nil, extensions: OutgoingExtensionIDs
    ) -> PacedMediaSource {
        func header(payloadType: UInt8, mid: String, rid: String?) -> RTPStreamHeader {
            RTPStreamHeader(
                ssrc: UInt32.random(in: 1...UInt32.max), payloadType: payloadType, extensions: extensions, mid: mid,
                rid: rid, firstSequence: UInt16.random(in: 0...UInt16.max))
        }
        let audio = OutgoingStream(
            label: "audio", isVideo: false, clip: clips.audio,
            header: header(payloadType: PublisherOffer.opusPayloadType, mid: PublisherOffer.audioMID, rid: nil))
        let layers: [(String?, MediaClip)] =
            simulcast
            ? Array(zip(MediaClipSet.rids.map { Optional($0) }, clips.layers))
            : [(nil, clips.layers[min(layer ?? clips.layers.count - 1, clips.layers.count - 1)])]
        let video = layers.map { rid, clip in
            let stream = OutgoingStream(
                label: rid ?? "video", isVideo: true, clip: clip,
                header: header(payloadType: PublisherOffer.vp8PayloadType, mid: PublisherOffer.videoMID, rid: rid))
            // Retransmissions name their layer in repaired-rid, not rid (RFC 8852 §3.2).
            var repair = extensions
            repair.rid = repair.rid == nil ? nil : PublisherOffer.repairedRIDID
            stream.retransmission = RTPStreamHeader(
                ssrc: UInt32.random(in: 1...UInt32.max), payloadType: PublisherOffer.rtxPayloadType, extensions: repair,
                mid: PublisherOffer.videoMID, rid: rid, firstSequence: UInt16.random(in: 0...UInt16.max))
            return stream
        }
        return PacedMediaSource(audio: audio, video: video)
    }
}
