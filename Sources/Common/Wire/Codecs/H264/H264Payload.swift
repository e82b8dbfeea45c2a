/// An H.264 RTP payload in packetization-mode 1 (RFC 6184 §5.6–5.8): a single NAL unit, a
/// STAP-A aggregating several, or an FU-A fragment of one.
///
/// Parsing validates the whole payload (every STAP-A size) once and keeps only offsets and
/// flags, so it allocates nothing; ``aggregatedUnits(in:)`` then walks the units without
/// further checks that could fail.
///
/// Key frames: ``isKeyFrame`` is true when the packet carries an SPS (type 7) or the start of
/// an IDR slice (type 5): a single NAL unit of type 5 or 7, a STAP-A holding either, or an
/// FU-A with S=1 whose fragmented type is 5 or 7. Encoders send SPS/PPS right before each IDR,
/// so the SPS is where a receiver can start decoding (this is the rule common SFUs use).
public struct H264Payload: Equatable, Sendable {
    /// The packet structures allowed in packetization-mode 1.
    public enum Kind: Equatable, Sendable {
        /// Types 1–23: the payload is one whole NAL unit (RFC 6184 §5.6).
        case singleNALUnit
        /// Type 24: a STAP-A with `count` NAL units, each after a 16-bit size (§5.7.1).
        case aggregation(count: Int)
        /// Type 28: an FU-A (§5.8); `header` is the NAL unit header rebuilt from the FU
        /// indicator's F and NRI and the FU header's type.
        case fragment(start: Bool, end: Bool, header: H264NALUnitHeader)
    }

    /// The first byte of the payload: a NAL unit header or the STAP-A/FU-A indicator.
    public let header: H264NALUnitHeader
    /// What this packet carries.
    public let kind: Kind
    /// Whether an IDR slice (type 5) is in this packet (whole, aggregated, or its first fragment).
    public let containsIDR: Bool
    /// Whether a sequence parameter set (type 7) is in this packet.
    public let containsSPS: Bool
    /// Whether a picture parameter set (type 8) is in this packet.
    public let containsPPS: Bool
    /// Where the NAL unit bytes start: the whole payload for a single NAL unit, the first size
    /// field for a STAP-A, the fragment bytes after the FU header for an FU-A.
    public let payloadOffset: Int

    /// Whether a decoder can start at this packet; see the type's documentation for the rule.
    public var isKeyFrame: Bool { containsSPS || containsIDR }

    /// Parses the payload, the bytes after the RTP header.
    public init(parsing payload: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(payload)
        guard let first = reader.readUInt8() else { throw .h264PayloadMissing }
        header = H264NALUnitHeader(first)
        var idr = false
        var sps = false
        var pps = false
        switch header.type {
        case 1...23:
            kind = .singleNALUnit
            payloadOffset = 0
            idr = header.type == 5
            sps = header.type == 7
            pps = header.type == 8
        case 24:
            payloadOffset = 1
            var count = 0
            while !reader.isAtEnd {
                guard let size = reader.readUInt16(), size > 0,
                    let unit = reader.readBytes(Int(size))
                else { throw .h264AggregationMalformed }
                let type = unit[0] & 0x1F
                idr = idr || type == 5
                sps = sps || type == 7
                pps = pps || type == 8
                count += 1
            }
            guard count > 0 else { throw .h264AggregationEmpty }
            kind = .aggregation(count: count)
        case 28:
            guard let fuHeader = reader.readUInt8() else { throw .h264FragmentTruncated }
            let start = fuHeader & 0x80 != 0
            let end = fuHeader & 0x40 != 0
            guard !(start && end) else { throw .h264FragmentStartAndEnd }
            let type = fuHeader & 0x1F
            guard type >= 1 && type <= 23 else { throw .h264FragmentedTypeInvalid(type) }
            kind = .fragment(start: start, end: end, header: H264NALUnitHeader(first & 0xE0 | type))
            payloadOffset = 2
            // Only the first fragment says "here a NAL unit of this type begins".
            idr = start && type == 5
            sps = start && type == 7
            pps = start && type == 8
        case 25, 26, 27, 29:
            throw .h264PacketTypeNotAllowedInMode1(header.type)
        default:
            throw .h264PacketTypeUndefined(header.type)
        }
        containsIDR = idr
        containsSPS = sps
        containsPPS = pps
    }

    /// The NAL units of a STAP-A, read from `payload` (the buffer this value was parsed from);
    /// empty for other kinds or when `payload` is too short to be that buffer.
    public func aggregatedUnits(in payload: UnsafeRawBufferPointer) -> H264AggregatedUnits {
        guard case .aggregation = kind else {
            return H264AggregatedUnits(payload: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return H264AggregatedUnits(payload: payload)
    }
}
