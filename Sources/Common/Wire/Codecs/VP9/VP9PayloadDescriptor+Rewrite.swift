extension VP9PayloadDescriptor {
    /// Why an in-place rewrite could not happen.
    public typealias RewriteError = PayloadDescriptorRewriteError

    /// Overwrites the picture ID in `payload` (the buffer this descriptor was parsed from),
    /// keeping its width; `value` is truncated to 7 or 15 bits (RFC 9628 §4.2).
    public func rewritePictureID(_ value: UInt16, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        try PayloadDescriptorRewrite.pictureID(value, at: pictureIDOffset, isLong: hasLongPictureID, in: payload)
    }

    /// Overwrites TL0PICIDX in `payload` (non-flexible mode only, where the field exists).
    public func rewriteTL0PictureIndex(_ value: UInt8, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        try PayloadDescriptorRewrite.tl0PictureIndex(value, at: tl0PictureIndexOffset, in: payload)
    }
}
