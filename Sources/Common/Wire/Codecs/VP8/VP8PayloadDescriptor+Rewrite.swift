extension VP8PayloadDescriptor {
    /// Why an in-place rewrite could not happen.
    public typealias RewriteError = PayloadDescriptorRewriteError

    /// Overwrites the PictureID in `payload` (the buffer this descriptor was parsed from)
    /// keeping its width: an SFU switching simulcast layers renumbers pictures so that the
    /// receiver sees one continuous sequence (RFC 7741 §4.2). `value` is truncated to 7 or
    /// 15 bits, as the wrap-around of the field requires.
    public func rewritePictureID(_ value: UInt16, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        try PayloadDescriptorRewrite.pictureID(value, at: pictureIDOffset, isLong: hasLongPictureID, in: payload)
    }

    /// Overwrites TL0PICIDX in `payload` (the buffer this descriptor was parsed from).
    public func rewriteTL0PictureIndex(_ value: UInt8, in payload: UnsafeMutableRawBufferPointer) throws(RewriteError) {
        try PayloadDescriptorRewrite.tl0PictureIndex(value, at: tl0PictureIndexOffset, in: payload)
    }
}
