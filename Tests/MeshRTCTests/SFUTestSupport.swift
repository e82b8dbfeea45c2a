import MeshWire

/// Builders for the RTP packets the SFU tests feed in (control-plane arrays are fine here).
enum SFUTestPacket {
    /// An RTP packet (RFC 3550 §5.1) with optional one-byte header extensions (RFC 8285 §4.2).
    static func rtp(
        sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payloadType: UInt8 = 96, marker: Bool = false,
        payload: [UInt8], extensions: [(id: UInt8, value: [UInt8])] = [], padding: Int = 0
    ) -> [UInt8] {
        var data: [UInt8]?
        if !extensions.isEmpty {
            var block: [UInt8] = []
            for element in extensions { block += [element.id << 4 | UInt8(element.value.count - 1)] + element.value }
            while block.count % 4 != 0 { block.append(0) }
            data = block
        }
        let header = RTPHeader(
            marker: marker, payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc,
            extensionProfile: 0xBEDE, extensionData: data)
        var out = [UInt8](repeating: 0, count: 1500)
        let length = out.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            payload.withUnsafeBytes { try? header.marshalPacket(payload: $0, paddingLength: padding, into: &writer) }
            return writer.offset
        }
        return Array(out[0..<length])
    }

    /// A VP8 payload (RFC 7741 §4.2): descriptor with X=1, S=1 on a frame start, PID=0,
    /// I=1 with a 15-bit PictureID, L=1 with TL0PICIDX; then the §4.3 payload header (P=0 for
    /// a key frame with the 9d 01 2a start code and 640x360) and `body`.
    /// A VP8 payload (RFC 7741 §4.2) whose key frames carry a `width` × `height` frame header
    /// (RFC 6386 §9.1).
    static func vp8(
        pictureID: UInt16, tl0: UInt8, keyframe: Bool, frameStart: Bool = true, width: UInt16 = 640,
        height: UInt16 = 360, body: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = [
            frameStart ? 0x90 : 0x80,  // X=1, N=0, S, PID=0
            0xC0,  // I=1, L=1, T=0, K=0
            0x80 | UInt8(pictureID >> 8 & 0x7F), UInt8(pictureID & 0xFF),  // M=1, 15-bit PictureID
            tl0,  // TL0PICIDX
        ]
        if frameStart {
            // Size0=0, H=1 (show), VER=0, P=0 key / 1 delta; sizes 1 and 2 zero.
            bytes += [keyframe ? 0x10 : 0x11, 0x00, 0x00]
            if keyframe {  // start code, then 14-bit width and height, little-endian, scale 0
                bytes += [
                    0x9D, 0x01, 0x2A, UInt8(width & 0xFF), UInt8(width >> 8), UInt8(height & 0xFF), UInt8(height >> 8),
                ]
            }
        }
        return bytes + body
    }
}

extension Array where Element == UInt8 {
    /// Runs `body` over the bytes as an `UnsafeRawBufferPointer`.
    func withRaw<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try withUnsafeBytes(body)
    }
}

/// A heap buffer for outputs; freed by the caller with `deallocate()`.
func makeOutputBuffer(_ size: Int = 1600) -> UnsafeMutableRawBufferPointer {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    buffer.initializeMemory(as: UInt8.self, repeating: 0)
    return buffer
}
