import MeshWire

/// STUB (integrator's placeholder until the parsers branch lands): VP8 only.
enum KeyframeDimensions {
    static func read(_ codec: CodecKind, payload: UnsafeRawBufferPointer) -> VideoDimensions? {
        guard codec == .vp8, let descriptor = try? VP8PayloadDescriptor(parsing: payload),
            let width = descriptor.payloadHeader?.keyFrameWidth, let height = descriptor.payloadHeader?.keyFrameHeight
        else { return nil }
        return VideoDimensions(width: width & 0x3FFF, height: height & 0x3FFF)
    }
}
