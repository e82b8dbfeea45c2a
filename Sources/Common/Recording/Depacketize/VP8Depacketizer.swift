import MeshWire

/// Rebuilds VP8 frames from RTP payloads (RFC 7741 §4): a frame starts at a packet with S=1
/// and PID=0 and ends at the marker bit; the descriptor is stripped. A frame that lost a
/// packet is dropped and the track waits for the next key frame (a ``RecordingGap``).
public struct VP8Depacketizer {
    private var assembler = FrameAssembler(needsKeyFrames: true, capacity: 256 << 10)

    /// Whether video waits for a key frame (at the start, or after a loss) and writes nothing.
    public var isWaitingForKeyFrame: Bool { assembler.waitingForKeyFrame }
    /// The size of the last key frame (RFC 6386 §9.1), for the segment's TrackEntry.
    public private(set) var dimensions: VideoDimensions?

    /// A depacketizer waiting for its first key frame.
    public init() {}

    /// Takes one packet's sequence number, timestamp, marker bit and payload; calls `sink` for
    /// a frame that completes and a gap that closes.
    public mutating func push(
        sequence: UInt16, timestamp: UInt32, marker: Bool, payload: UnsafeRawBufferPointer,
        _ sink: (DepacketizerEvent) -> Void
    ) {
        guard assembler.accept(sequence: sequence, timestamp: timestamp) else { return }
        let descriptor: VP8PayloadDescriptor
        do {
            descriptor = try VP8PayloadDescriptor(parsing: payload)
        } catch {
            assembler.lose(packets: 0, at: timestamp, reason: .malformedPayload)
            return
        }
        if descriptor.isStartOfFrame {
            assembler.begin(timestamp: timestamp, isKeyFrame: descriptor.isKeyFrame)
            if let header = descriptor.payloadHeader?.keyFrameHeader { dimensions = header.dimensions }
        } else if !assembler.inFrame {
            return  // the rest of a frame whose start was lost (already a gap) or before the first
        } else if assembler.timestamp != timestamp {
            assembler.breakFrame()
        }
        assembler.append(UnsafeRawBufferPointer(rebasing: payload[descriptor.payloadOffset...]))
        if marker { assembler.end(sink) }
    }
}

/// Rebuilds VP9 frames from RTP payloads (RFC 9628 §4): a frame runs from the packet with
/// B=1 to the one with E=1. Only spatial layer 0 is kept (a recorder records one layer of a
/// non-SVC or K-SVC stream); its key frames are P=0 at B=1.
public struct VP9Depacketizer {
    private var assembler = FrameAssembler(needsKeyFrames: true, capacity: 256 << 10)

    /// Whether video waits for a key frame (at the start, or after a loss) and writes nothing.
    public var isWaitingForKeyFrame: Bool { assembler.waitingForKeyFrame }
    /// The size of the last key frame (VP9 §6.2 frame_size), for the segment's TrackEntry.
    public private(set) var dimensions: VideoDimensions?

    /// A depacketizer waiting for its first key frame.
    public init() {}

    /// Takes one packet; see ``VP8Depacketizer/push(sequence:timestamp:marker:payload:_:)``.
    public mutating func push(
        sequence: UInt16, timestamp: UInt32, marker: Bool, payload: UnsafeRawBufferPointer,
        _ sink: (DepacketizerEvent) -> Void
    ) {
        guard assembler.accept(sequence: sequence, timestamp: timestamp) else { return }
        let descriptor: VP9PayloadDescriptor
        do {
            descriptor = try VP9PayloadDescriptor(parsing: payload)
        } catch {
            assembler.lose(packets: 0, at: timestamp, reason: .malformedPayload)
            return
        }
        guard descriptor.spatialLayerID == 0 else { return }
        if descriptor.isStartOfFrame {
            assembler.begin(timestamp: timestamp, isKeyFrame: descriptor.isKeyFrame)
            if descriptor.isKeyFrame, let header = try? descriptor.keyFrameHeader(in: payload) {
                dimensions = header.dimensions
            }
        } else if !assembler.inFrame {
            return
        } else if assembler.timestamp != timestamp {
            assembler.breakFrame()
        }
        assembler.append(UnsafeRawBufferPointer(rebasing: payload[descriptor.payloadOffset...]))
        if descriptor.isEndOfFrame { assembler.end(sink) }
    }
}

/// Opus over RTP (RFC 7587 §4.2): one packet is one frame, each a "key frame". A lost packet
/// is a gap that the next packet closes; the payload is checked against RFC 6716 §3.4.
public struct OpusDepacketizer {
    private var assembler = FrameAssembler(needsKeyFrames: false, capacity: OpusPacket.maximumFrameLength * 6)

    /// A depacketizer.
    public init() {}

    /// Takes one packet; see ``VP8Depacketizer/push(sequence:timestamp:marker:payload:_:)``.
    public mutating func push(
        sequence: UInt16, timestamp: UInt32, marker: Bool, payload: UnsafeRawBufferPointer,
        _ sink: (DepacketizerEvent) -> Void
    ) {
        guard assembler.accept(sequence: sequence, timestamp: timestamp) else { return }
        guard (try? OpusPacket(parsing: payload)) != nil else {
            assembler.lose(packets: 0, at: timestamp, reason: .malformedPayload)
            return
        }
        assembler.begin(timestamp: timestamp, isKeyFrame: true)
        assembler.append(payload)
        assembler.end(sink)
    }
}
