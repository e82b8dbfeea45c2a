/// An Opus packet, the whole RTP payload for Opus (RFC 7587 §4.2), framed as RFC 6716 §3.2
/// describes and checked against the §3.4 rules R1–R7.
///
/// Parsing reads the TOC byte, the frame count byte and the length bytes only; it allocates
/// nothing. Opus has no key frames: every packet decodes on its own (a decoder may need a few
/// packets to converge, but nothing waits for a special packet), so an SFU never requests or
/// waits for an Opus "key frame" and this type has no such property.
public struct OpusPacket: Equatable, Sendable {
    /// The largest frame a packet may carry (RFC 6716 §3.4 [R2]).
    public static let maximumFrameLength = 1275
    /// The most audio one packet may carry: 120 ms in 48 kHz samples (RFC 6716 §3.4 [R5]).
    public static let maximumSamples = 5760

    /// The TOC byte.
    public let toc: OpusTOC
    /// How many frames the packet carries (1–48).
    public let frameCount: Int
    /// Whether a code 3 packet carries frames of different sizes (v bit); false otherwise.
    public let isVariableBitrate: Bool
    /// Bytes of padding in a code 3 packet: the padding length bytes plus the trailing padding.
    public let paddingLength: Int

    /// The audio in this packet, in 48 kHz samples: frame count × frame duration.
    public var durationSamples: Int { frameCount * toc.frameSamples }

    /// Parses and validates `payload`, the bytes after the RTP header.
    public init(parsing payload: UnsafeRawBufferPointer) throws(CodecPayloadError) {
        var reader = ByteReader(payload)
        guard let tocByte = reader.readUInt8() else { throw .opusR1Empty }
        toc = OpusTOC(tocByte)
        let length = payload.count
        switch toc.frameCountCode {
        case 0:
            guard length - 1 <= Self.maximumFrameLength else { throw .opusR2FrameTooLong }
            frameCount = 1
            isVariableBitrate = false
            paddingLength = 0
        case 1:
            guard (length - 1) % 2 == 0 else { throw .opusR3Code1LengthEven }
            guard (length - 1) / 2 <= Self.maximumFrameLength else { throw .opusR2FrameTooLong }
            frameCount = 2
            isVariableBitrate = false
            paddingLength = 0
        case 2:
            guard let first = Self.readFrameLength(&reader), first <= reader.remaining
            else { throw .opusR4Code2FrameLengthInvalid }
            guard reader.remaining - first <= Self.maximumFrameLength else { throw .opusR2FrameTooLong }
            frameCount = 2
            isVariableBitrate = false
            paddingLength = 0
        default:
            let parsed = try Self.parseCode3(&reader, toc: toc)
            frameCount = parsed.count
            isVariableBitrate = parsed.variable
            paddingLength = parsed.padding
        }
    }

    /// Reads a frame length coded in one or two bytes (RFC 6716 §3.2.1).
    static func readFrameLength(_ reader: inout ByteReader) -> Int? {
        guard let first = reader.readUInt8() else { return nil }
        guard first >= 252 else { return Int(first) }
        guard let second = reader.readUInt8() else { return nil }
        return Int(second) * 4 + Int(first)
    }

    /// Checks a code 3 packet (RFC 6716 §3.2.5) from just after its TOC byte.
    static func parseCode3(
        _ reader: inout ByteReader, toc: OpusTOC
    ) throws(CodecPayloadError) -> (count: Int, variable: Bool, padding: Int) {
        guard let countByte = reader.readUInt8() else { throw .opusR6Code3ConstantBitrateLengthInvalid }
        let variable = countByte & 0x80 != 0
        let hasPadding = countByte & 0x40 != 0
        let count = Int(countByte & 0x3F)
        guard count >= 1, count * toc.frameSamples <= maximumSamples else { throw .opusR5Code3FrameCountInvalid }
        let lengthError: CodecPayloadError =
            variable ? .opusR7Code3VariableBitrateLengthInvalid : .opusR6Code3ConstantBitrateLengthInvalid

        // Padding length bytes: 255 means 254 bytes of padding and another length byte follows.
        var padding = 0
        var trailingPadding = 0
        var more = hasPadding
        while more {
            guard let byte = reader.readUInt8() else { throw lengthError }
            padding += 1
            let added = byte == 255 ? 254 : Int(byte)
            padding += added
            trailingPadding += added
            more = byte == 255
        }

        if variable {
            var frameBytes = 0
            for _ in 0..<(count - 1) {
                guard let frame = readFrameLength(&reader) else { throw lengthError }
                frameBytes += frame
            }
            let last = reader.remaining - frameBytes - trailingPadding
            guard last >= 0 else { throw lengthError }
            guard last <= maximumFrameLength else { throw .opusR2FrameTooLong }
        } else {
            let frameBytes = reader.remaining - trailingPadding
            guard frameBytes >= 0, frameBytes % count == 0 else { throw lengthError }
            guard frameBytes / count <= maximumFrameLength else { throw .opusR2FrameTooLong }
        }
        return (count, variable, padding)
    }
}
