/// VP9 and H.264 payloads for the SFU tests, byte by byte as the RFCs draw them.
extension SFUTestPacket {
    /// A VP9 payload (RFC 9628 §4.2) with a 15-bit PictureID (I=1, M=1) and layer indices (L=1).
    /// Non-flexible mode (F=0) carries TL0PICIDX; flexible mode (F=1) carries `references`
    /// (P_DIFF) on inter-predicted frames instead. B=1 on a frame start, E=1 at its end. A frame
    /// start is followed by the first byte of the uncompressed header (VP9 bitstream §6.2:
    /// frame_marker 0b10, profile 0, show_existing_frame 0, frame_type 0 key / 1 inter).
    static func vp9(
        pictureID: UInt16, tl0: UInt8 = 0, keyframe: Bool, flexible: Bool = false, references: [UInt8] = [],
        frameStart: Bool = true, frameEnd: Bool = true, temporalLayer: UInt8 = 0, body: [UInt8]
    ) -> [UInt8] {
        var first: UInt8 = 0x80 | 0x20  // I, L
        if !keyframe { first |= 0x40 }  // P
        if flexible { first |= 0x10 }  // F
        if frameStart { first |= 0x08 }  // B
        if frameEnd { first |= 0x04 }  // E
        var bytes: [UInt8] = [
            first,
            0x80 | UInt8(pictureID >> 8 & 0x7F), UInt8(pictureID & 0xFF),  // M=1, 15-bit PictureID
            temporalLayer << 5,  // TID, U=0, SID=0, D=0
        ]
        if flexible {
            if !keyframe {
                for (index, difference) in references.enumerated() {
                    bytes.append(difference << 1 | (index + 1 < references.count ? 1 : 0))  // P_DIFF, N
                }
            }
        } else {
            bytes.append(tl0)
        }
        if frameStart { bytes.append(keyframe ? 0x80 : 0x84) }
        return bytes + body
    }

    /// The RFC 6184 packets of an H.264 key frame as libwebrtc sends them: a STAP-A (§5.7.1) with
    /// the SPS and PPS, then the IDR slice in FU-As (§5.8) of `fragments` packets.
    static func h264Keyframe(fragments: Int = 2) -> [[UInt8]] {
        let sps: [UInt8] = [0x67, 0x42, 0xE0, 0x1F, 0xDA]  // NRI=3, type 7: profile 42, constraints e0, level 1f
        let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]  // NRI=3, type 8
        var stap: [UInt8] = [0x78]  // F=0, NRI=3, type 24
        for unit in [sps, pps] { stap += [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)] + unit }
        let fragments = (0..<max(fragments, 2)).map { index in
            let start: UInt8 = index == 0 ? 0x80 : 0
            let end: UInt8 = index == max(fragments, 2) - 1 ? 0x40 : 0
            return [0x7C, start | end | 5, 0x88, UInt8(index)]  // FU indicator NRI=3 type 28; FU header S E type 5
        }
        return [stap] + fragments
    }

    /// A whole non-IDR slice in one packet (RFC 6184 §5.6): NRI=2, type 1.
    static let h264DeltaFrame: [UInt8] = [0x41, 0x9A, 0x01, 0x02]
}
