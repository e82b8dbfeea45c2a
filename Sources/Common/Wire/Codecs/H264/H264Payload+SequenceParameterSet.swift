extension H264Payload {
    /// The sequence parameter set this packet carries, read from `payload` (the buffer this
    /// value was parsed from): a single NAL unit of type 7, the first type-7 unit of a STAP-A,
    /// or the start fragment of an FU-A carrying one (RFC 6184 §5.6–5.8). `nil` when the
    /// packet carries none, which ``containsSPS`` already says without reading further; throws
    /// when the SPS is malformed or, for an FU-A, cut before its picture size.
    ///
    /// Senders put the SPS right before each IDR: Chromium and ffmpeg aggregate it with the PPS
    /// (and sometimes the IDR) in one STAP-A.
    public func sequenceParameterSet(in payload: UnsafeRawBufferPointer) throws(CodecPayloadError)
        -> H264SequenceParameterSet?
    {
        guard containsSPS else { return nil }
        switch kind {
        case .singleNALUnit:
            return try H264SequenceParameterSet(parsing: payload)
        case .aggregation:
            for unit in aggregatedUnits(in: payload) where unit.header.unitType == .sequenceParameterSet {
                return try H264SequenceParameterSet(parsing: UnsafeRawBufferPointer(rebasing: payload[unit.range]))
            }
            return nil
        case .fragment(_, _, let header):
            // The FU indicator and FU header stand in for the NAL unit header (§5.8).
            guard !header.forbiddenBit else { throw .h264ForbiddenBitSet }
            guard payloadOffset <= payload.count else { return nil }
            return try H264SequenceParameterSet(
                parsingBody: UnsafeRawBufferPointer(rebasing: payload[payloadOffset...]))
        }
    }
}
