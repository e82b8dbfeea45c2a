import MeshWire

/// Rebuilds H.264 access units from RTP payloads in packetization mode 1 (RFC 6184 §5.6–5.8:
/// single NAL units, STAP-A, FU-A) as Matroska stores them: each NAL unit behind a 4-byte
/// big-endian length (ISO/IEC 14496-15 §5.3.4.2), no start codes. An access unit is the
/// packets of one timestamp, ended by the marker bit (§5.1). It is a key frame when it holds
/// an IDR slice. The latest SPS and PPS are kept for the track's avcC.
public struct H264Depacketizer {
    private var assembler = FrameAssembler(needsKeyFrames: true, capacity: 512 << 10)

    /// Whether video waits for a key frame (at the start, or after a loss) and writes nothing.
    public var isWaitingForKeyFrame: Bool { assembler.waitingForKeyFrame }
    /// Where the 4-byte length of the NAL unit an FU-A is rebuilding lies; `nil` outside one.
    private var fragmentLengthOffset: Int?
    private var sequenceParameterSet: [UInt8] = []
    private var pictureParameterSet: [UInt8] = []
    /// The picture size of the last SPS (ITU-T H.264 §7.4.2.1.1, after cropping).
    public private(set) var dimensions: VideoDimensions?

    /// A depacketizer waiting for its first IDR.
    public init() {
        sequenceParameterSet.reserveCapacity(256)
        pictureParameterSet.reserveCapacity(256)
    }

    /// The avcC source for the segment's TrackEntry, once an SPS and a PPS have been seen.
    public var decoderConfiguration: H264DecoderConfiguration? {
        H264DecoderConfiguration(sequenceParameterSet: sequenceParameterSet, pictureParameterSet: pictureParameterSet)
    }

    /// Takes one packet; see ``VP8Depacketizer/push(sequence:timestamp:marker:payload:_:)``.
    public mutating func push(
        sequence: UInt16, timestamp: UInt32, marker: Bool, payload: UnsafeRawBufferPointer,
        _ sink: (DepacketizerEvent) -> Void
    ) {
        guard assembler.accept(sequence: sequence, timestamp: timestamp) else { return }
        let parsed: H264Payload
        do {
            parsed = try H264Payload(parsing: payload)
        } catch {
            assembler.lose(packets: 0, at: timestamp, reason: .malformedPayload)
            return
        }
        if !assembler.inFrame || assembler.timestamp != timestamp {
            // A new timestamp starts an access unit (the last one lost its marker packet).
            assembler.begin(timestamp: timestamp, isKeyFrame: false)
            fragmentLengthOffset = nil
        }
        if parsed.containsIDR { assembler.markKeyFrame() }
        if parsed.containsSPS, let sps = try? parsed.sequenceParameterSet(in: payload) { dimensions = sps.dimensions }
        switch parsed.kind {
        case .singleNALUnit:
            appendUnit(payload)
        case .aggregation:
            for unit in parsed.aggregatedUnits(in: payload) {
                appendUnit(UnsafeRawBufferPointer(rebasing: payload[unit.range]))
            }
        case .fragment(let start, let end, let header):
            appendFragment(payload, offset: parsed.payloadOffset, start: start, end: end, header: header)
        }
        if marker { assembler.end(sink) }
    }

    /// Appends a whole NAL unit behind its length and keeps it when it is an SPS or PPS.
    private mutating func appendUnit(_ unit: UnsafeRawBufferPointer) {
        guard !unit.isEmpty else { return }
        if fragmentLengthOffset != nil {
            assembler.breakFrame()  // an FU-A was cut off by another unit: its end is lost
            fragmentLengthOffset = nil
        }
        switch unit[0] & 0x1F {
        case 7: Self.replace(&sequenceParameterSet, with: unit)
        case 8: Self.replace(&pictureParameterSet, with: unit)
        default: break
        }
        assembler.withBuffer { buffer in
            Self.appendLength(unit.count, to: &buffer)
            buffer.append(contentsOf: unit)
        }
    }

    private mutating func appendFragment(
        _ payload: UnsafeRawBufferPointer, offset: Int, start: Bool, end: Bool, header: H264NALUnitHeader
    ) {
        let fragment = UnsafeRawBufferPointer(rebasing: payload[offset...])
        if start {
            if fragmentLengthOffset != nil { assembler.breakFrame() }
            var lengthOffset = 0
            assembler.withBuffer { buffer in
                lengthOffset = buffer.count
                Self.appendLength(0, to: &buffer)
                buffer.append(header.rawValue)
            }
            fragmentLengthOffset = lengthOffset
        } else if fragmentLengthOffset == nil {
            assembler.breakFrame()  // a middle or end fragment without its start
            return
        }
        assembler.append(fragment)
        if end, let lengthOffset = fragmentLengthOffset {
            fragmentLengthOffset = nil
            assembler.withBuffer { buffer in
                let length = buffer.count - lengthOffset - 4
                for index in 0..<4 {
                    buffer[lengthOffset + index] = UInt8(truncatingIfNeeded: length >> (24 - 8 * index))
                }
            }
        }
    }

    private static func appendLength(_ length: Int, to buffer: inout [UInt8]) {
        for index in 0..<4 { buffer.append(UInt8(truncatingIfNeeded: length >> (24 - 8 * index))) }
    }

    private static func replace(_ stored: inout [UInt8], with unit: UnsafeRawBufferPointer) {
        stored.removeAll(keepingCapacity: true)
        stored.append(contentsOf: unit)
    }
}
