extension VP9PayloadDescriptor {
    /// Why an in-place rewrite of a VP9 payload descriptor could not happen.
    public enum RewriteError: Error, Equatable, Sendable {
        /// The descriptor has no such field (its flag bit is clear); a rewrite never grows it.
        case fieldAbsent
        /// The buffer is not the one this descriptor was parsed from (too short for the offset).
        case bufferMismatch
    }

    /// Overwrites the picture ID in `payload` (the buffer this descriptor was parsed from),
    /// keeping its width; `value` is truncated to 7 or 15 bits (RFC 9628 §4.2).
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

    /// Overwrites TL0PICIDX in `payload` (non-flexible mode only, where the field exists).
    public func rewriteTL0PictureIndex(_ value: UInt8, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        guard tl0PictureIndexOffset >= 0 else { throw .fieldAbsent }
        guard payload.count > tl0PictureIndexOffset else { throw .bufferMismatch }
        payload[tl0PictureIndexOffset] = value
    }
}
