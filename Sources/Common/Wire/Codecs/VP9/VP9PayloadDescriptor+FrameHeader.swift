extension VP9PayloadDescriptor {
    /// Whether the VP9 frame starting in this packet is a key frame according to its own
    /// uncompressed header (VP9 Bitstream Specification §6.2: frame_marker, profile,
    /// show_existing_frame, frame_type), read from `payload`, the buffer this descriptor was
    /// parsed from.
    ///
    /// A cross-check on ``isKeyFrame``, which trusts the sender's P bit: some senders leave P=0
    /// on every frame (ffmpeg 5.1's RTP muxer does, see Tests/Fixtures/rtp/vp9.rtp). Returns
    /// `nil` when the packet does not start a frame (B=0), the header is not there, or the
    /// frame only re-shows an earlier one (show_existing_frame=1).
    public func bitstreamIsKeyFrame(in payload: UnsafeRawBufferPointer) -> Bool? {
        guard isStartOfFrame, payloadOffset < payload.count else { return nil }
        let first = payload[payloadOffset]
        // Bits, most significant first: frame_marker (2, must be 0b10), profile_low_bit,
        // profile_high_bit, reserved_zero (profile 3 only), show_existing_frame, frame_type.
        guard first >> 6 == 0b10 else { return nil }
        let profile = (first >> 5) & 1 | ((first >> 4) & 1) << 1
        let showExistingShift: UInt8 = profile == 3 ? 2 : 3
        guard (first >> showExistingShift) & 1 == 0 else { return nil }
        return (first >> (showExistingShift - 1)) & 1 == 0
    }

    /// The key frame header of the VP9 frame starting in this packet, read from `payload` (the
    /// buffer this descriptor was parsed from): `nil` when the packet does not start a layer
    /// frame (B=0) or the frame is not a key frame; throws when the header is malformed.
    ///
    /// The frame's own header decides, not the P bit (see ``bitstreamIsKeyFrame(in:)``). With
    /// spatial layers (SVC), only the base layer frame of a key picture is a key frame; the
    /// layers above predict from it and give `nil` (their sizes are in the scalability
    /// structure, ``scalabilityStructure(in:)``).
    public func keyFrameHeader(in payload: UnsafeRawBufferPointer) throws(CodecPayloadError) -> VP9KeyFrameHeader? {
        guard isStartOfFrame, payloadOffset < payload.count else { return nil }
        return try VP9KeyFrameHeader(parsing: UnsafeRawBufferPointer(rebasing: payload[payloadOffset...]))
    }
}
