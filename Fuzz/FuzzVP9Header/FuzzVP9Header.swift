import FuzzDriver
import MeshWire

// Input: a VP9 frame (what follows the RTP payload descriptor), also tried as a whole RTP
// payload. Properties: a key frame header that parses writes back, field by field (VP9
// Bitstream Specification §6.2, §6.2.2, §6.2.3), to exactly the input's leading bits; the same
// frame behind a descriptor with B=1 gives the same header through
// VP9PayloadDescriptor.keyFrameHeader(in:), and bitstreamIsKeyFrame agrees that it is a key
// frame; cutting the last byte those bits need makes parsing throw.

nonisolated(unsafe) let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

/// Writes bits most significant first into `scratch`, zero-filling as it goes.
struct BitWriter {
    var count = 0

    mutating func write(_ value: UInt32, _ width: Int) {
        for shift in stride(from: width - 1, through: 0, by: -1) {
            let byte = count / 8
            if count % 8 == 0 { scratch[byte] = 0 }
            if (value >> UInt32(shift)) & 1 == 1 { scratch[byte] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }

    mutating func flag(_ value: Bool) { write(value ? 1 : 0, 1) }
}

/// The header's bits as §6.2 lays them out; returns how many bits were written.
func rewrite(_ header: VP9KeyFrameHeader) -> Int {
    var writer = BitWriter()
    let profile = UInt32(header.profile)
    writer.write(2, 2)  // frame_marker
    writer.write(profile & 1, 1)
    writer.write(profile >> 1, 1)
    if profile == 3 { writer.flag(false) }  // reserved_zero
    writer.flag(false)  // show_existing_frame
    writer.flag(false)  // frame_type: KEY_FRAME
    writer.flag(header.showFrame)
    writer.flag(header.isErrorResilient)
    writer.write(0x49_8342, 24)
    if profile >= 2 { writer.flag(header.bitDepth == 12) }
    writer.write(UInt32(header.colorSpace), 3)
    let otherSubsampling = profile == 1 || profile == 3
    if header.colorSpace != 7 {
        writer.flag(header.isFullRange)
        if otherSubsampling {
            writer.flag(header.subsamplingX)
            writer.flag(header.subsamplingY)
            writer.flag(false)
        }
    } else if otherSubsampling {
        writer.flag(false)
    }
    writer.write(UInt32(header.width) - 1, 16)
    writer.write(UInt32(header.height) - 1, 16)
    return writer.count
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        if let descriptor = try? VP9PayloadDescriptor(parsing: bytes),
            let key = try? descriptor.keyFrameHeader(in: bytes), key.width == 0 || key.height == 0
        {
            fuzzFailure("a VP9 key frame header of zero size was accepted through the descriptor")
        }
        guard let header = try? VP9KeyFrameHeader(parsing: bytes) else { return }
        let bits = rewrite(header)
        let whole = bits / 8
        let rest = bits % 8
        let mask: UInt8 = rest == 0 ? 0 : ~(0xFF >> UInt8(rest))
        guard bytes.count >= (bits + 7) / 8, scratch.prefix(whole).elementsEqual(bytes.prefix(whole)),
            rest == 0 || scratch[whole] & mask == bytes[whole] & mask
        else {
            fuzzFailure("VP9 key frame header does not write back to its \(bits) bits")
        }
        let needed = (bits + 7) / 8
        if (try? VP9KeyFrameHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes.prefix(needed - 1)))) != nil {
            fuzzFailure("a VP9 key frame header parsed without its last byte")
        }
        guard bytes.count < scratch.count else { return }
        scratch[0] = 0x08  // I=0 P=0 L=0 F=0 B=1 (RFC 9628 §4.2)
        UnsafeMutableRawBufferPointer(rebasing: scratch[1...bytes.count]).copyMemory(from: bytes)
        let wrapped = UnsafeRawBufferPointer(rebasing: scratch[0...bytes.count])
        guard let descriptor = try? VP9PayloadDescriptor(parsing: wrapped),
            (try? descriptor.keyFrameHeader(in: wrapped)) == header,
            descriptor.bitstreamIsKeyFrame(in: wrapped) == true
        else {
            fuzzFailure("VP9 key frame header differs behind a payload descriptor")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzVP9Header_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
