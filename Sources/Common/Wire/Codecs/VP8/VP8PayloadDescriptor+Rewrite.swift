extension VP8PayloadDescriptor {
    /// Why an in-place rewrite of a VP8 payload descriptor could not happen.
    public enum RewriteError: Error, Equatable, Sendable {
        /// The descriptor has no such field (its flag bit is clear); a rewrite never grows it.
        case fieldAbsent
        /// The buffer is not the one this descriptor was parsed from (too short for the offset).
        case bufferMismatch
    }

    /// Overwrites the PictureID in `payload` (the buffer this descriptor was parsed from)
    /// keeping its width: an SFU switching simulcast layers renumbers pictures so that the
    /// receiver sees one continuous sequence (RFC 7741 §4.2). `value` is truncated to 7 or
    /// 15 bits, as the wrap-around of the field requires.
    public func rewritePictureID(_ value: UInt16, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        guard pictureIDOffset >= 0 else { throw .fieldAbsent }
        if hasLongPictureID {
            guard payload.count >= pictureIDOffset &+ 2 else { throw .bufferMismatch }
            payload[pictureIDOffset] = 0x80 | UInt8(truncatingIfNeeded: value >> 8) & 0x7F
            payload[pictureIDOffset + 1] = UInt8(truncatingIfNeeded: value)
        } else {
            guard payload.count > pictureIDOffset else { throw .bufferMismatch }
            payload[pictureIDOffset] = UInt8(truncatingIfNeeded: value) & 0x7F
        }
    }

    /// Overwrites TL0PICIDX in `payload` (the buffer this descriptor was parsed from).
    public func rewriteTL0PictureIndex(_ value: UInt8, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        guard tl0PictureIndexOffset >= 0 else { throw .fieldAbsent }
        guard payload.count > tl0PictureIndexOffset else { throw .bufferMismatch }
        payload[tl0PictureIndexOffset] = value
    }
}
