import MeshWire

extension ViewerTrackForwarder {
    /// How far back ``startsItsFrame(layer:sequence:length:)`` looks for an earlier packet of the
    /// same frame: an H.264 access unit may put an AUD, SPS, PPS and SEI before its IDR slice.
    static let frameStartLookBack: UInt16 = 8

    /// Whether the key frame packet `sequence` of `layer`, loaded into `scratch`, is where its
    /// frame starts for a decoder: no earlier packet of the same frame (same RTP timestamp,
    /// RFC 3550 §5.1) is a key frame start too.
    ///
    /// H.264 marks both the packet with the SPS and the one that starts the IDR slice
    /// (``KeyframeDetector``), and libwebrtc sends them apart (a STAP-A of SPS and PPS, then the
    /// IDR's FU-As, RFC 6184 §5.7.1, §5.8). A viewer that starts on the IDR has missed the
    /// parameter sets: after a layer switch its decoder applies the old layer's SPS (same id,
    /// other size) to the new picture; a new viewer cannot decode at all, and receivers that
    /// send no PLI on a decoding error (aiortc) wait for the next key frame. VP8 and VP9 mark
    /// only a frame's first packet, so this never refuses them. A packet gone from the history
    /// ends the search: starting is the better guess than waiting.
    func startsItsFrame(layer: Int, sequence: UInt16, length: Int) -> Bool {
        guard length >= 8 else { return true }
        let timestamp = UnsafeRawBufferPointer(scratch).loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        for back in 1...Self.frameStartLookBack {
            guard let earlier = histories[layer].load(sequence: sequence &- back, into: retransmissionScratch),
                earlier.length >= 8,
                UnsafeRawBufferPointer(retransmissionScratch).loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                    == timestamp
            else { return true }
            if earlier.isKeyframeStart { return false }
        }
        return true
    }
}
