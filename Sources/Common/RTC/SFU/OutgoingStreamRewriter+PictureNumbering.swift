import MeshWire

extension OutgoingStreamRewriter.Codec {
    /// The rewriting a negotiated codec needs: VP8 and VP9 carry picture numbering in their
    /// payload descriptors, the others (H.264, Opus) carry nothing an SFU renumbers.
    public init(_ kind: CodecKind) {
        switch kind {
        case .vp8: self = .vp8
        case .vp9: self = .vp9
        case .h264, .opus: self = .opaque
        }
    }
}

extension OutgoingStreamRewriter {
    /// The picture numbering of one packet's payload descriptor: a PictureID of 7 or 15 bits and
    /// a TL0PICIDX, in VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) alike.
    ///
    /// Each simulcast layer and each publisher numbers its own pictures, so a receiver that is
    /// switched between them would see the PictureID jump: RFC 9628 §4.2 defines it as
    /// increasing by one per picture, and receivers (libwebrtc's frame reference finders) use it
    /// to find missing and reference pictures. The rewriter shifts both fields by the offsets of
    /// the current source instead. VP9's P_DIFF references (flexible mode) are differences of
    /// PictureIDs, so a shift leaves them right.
    enum PictureNumbering {
        case vp8(VP8PayloadDescriptor)
        case vp9(VP9PayloadDescriptor)

        /// The descriptor at the start of `payload`, when `codec` has one and it parses.
        init?(codec: Codec, payload: UnsafeRawBufferPointer) {
            switch codec {
            case .vp8:
                guard let descriptor = try? VP8PayloadDescriptor(parsing: payload) else { return nil }
                self = .vp8(descriptor)
            case .vp9:
                guard let descriptor = try? VP9PayloadDescriptor(parsing: payload) else { return nil }
                self = .vp9(descriptor)
            case .opaque:
                return nil
            }
        }

        /// The PictureID, when present.
        var pictureID: UInt16? {
            switch self {
            case .vp8(let descriptor): descriptor.pictureID
            case .vp9(let descriptor): descriptor.pictureID
            }
        }

        /// TL0PICIDX, when present (VP9: non-flexible mode only).
        var tl0PictureIndex: UInt8? {
            switch self {
            case .vp8(let descriptor): descriptor.tl0PictureIndex
            case .vp9(let descriptor): descriptor.tl0PictureIndex
            }
        }

        /// Shifts the fields that are present in `payload` (the rewritten copy of the buffer the
        /// descriptor was parsed from) by the translation's offsets.
        func shift(pictureIDBy pictureOffset: UInt16, tl0By tl0Offset: UInt8, in payload: UnsafeMutableRawBufferPointer)
        {
            switch self {
            case .vp8(let descriptor):
                if let pictureID = descriptor.pictureID {
                    try? descriptor.rewritePictureID(pictureID &+ pictureOffset, in: payload)
                }
                if let tl0 = descriptor.tl0PictureIndex {
                    try? descriptor.rewriteTL0PictureIndex(tl0 &+ tl0Offset, in: payload)
                }
            case .vp9(let descriptor):
                if let pictureID = descriptor.pictureID {
                    try? descriptor.rewritePictureID(pictureID &+ pictureOffset, in: payload)
                }
                if let tl0 = descriptor.tl0PictureIndex {
                    try? descriptor.rewriteTL0PictureIndex(tl0 &+ tl0Offset, in: payload)
                }
            }
        }
    }
}
