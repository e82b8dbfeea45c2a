import FuzzDriver
import MeshWire

// Input: a VP8 frame (what follows the RTP payload descriptor), also tried as a whole RTP
// payload. Properties: a key frame header that parses writes back (frame tag, start code,
// 14-bit sizes with their 2-bit scales, RFC 6386 §9.1) to exactly the first 10 input bytes; the
// same frame behind a minimal descriptor (S=1, PID=0) gives the same header through
// VP8PayloadDescriptor; any shorter input throws instead.

nonisolated(unsafe) let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)

/// The 10 header bytes a parsed key frame stands for, after the input's 3-byte frame tag.
func rewrite(_ header: VP8KeyFrameHeader, tag: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) {
    for index in 0..<3 { out[index] = tag[index] }
    out[3] = 0x9D
    out[4] = 0x01
    out[5] = 0x2A
    let width = header.width | UInt16(header.horizontalScale) << 14
    let height = header.height | UInt16(header.verticalScale) << 14
    out[6] = UInt8(width & 0xFF)
    out[7] = UInt8(width >> 8)
    out[8] = UInt8(height & 0xFF)
    out[9] = UInt8(height >> 8)
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        if let descriptor = try? VP8PayloadDescriptor(parsing: bytes),
            let key = descriptor.payloadHeader?.keyFrameHeader, key.width == 0 || key.height == 0
        {
            fuzzFailure("a VP8 key frame header of zero size was accepted through the descriptor")
        }
        guard let header = try? VP8KeyFrameHeader(parsing: bytes) else { return }
        guard header.width > 0, header.height > 0, bytes.count >= 10 else {
            fuzzFailure("accepted a VP8 key frame header of zero size or under 10 bytes")
        }
        rewrite(header, tag: bytes, into: scratch)
        guard scratch.prefix(10).elementsEqual(bytes.prefix(10)) else {
            fuzzFailure("VP8 key frame header does not write back to its bytes")
        }
        guard (try? VP8KeyFrameHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes.prefix(9)))) == nil else {
            fuzzFailure("a 9-byte VP8 key frame header parsed")
        }
        guard bytes.count < scratch.count else { return }
        scratch[0] = 0x10  // X=0 N=0 S=1 PID=0 (RFC 7741 §4.2)
        UnsafeMutableRawBufferPointer(rebasing: scratch[1...bytes.count]).copyMemory(from: bytes)
        let wrapped = UnsafeRawBufferPointer(rebasing: scratch[0...bytes.count])
        guard let descriptor = try? VP8PayloadDescriptor(parsing: wrapped), descriptor.isKeyFrame,
            descriptor.payloadHeader?.keyFrameHeader == header
        else {
            fuzzFailure("VP8 key frame header differs behind a payload descriptor")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzVP8KeyFrame_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
