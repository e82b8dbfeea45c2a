import FuzzDriver
import MeshWire

// Input: an H.264 NAL unit (header byte first), also tried as a whole RTP payload.
// Properties of an SPS that parses (ITU-T H.264 §7.3.2.1.1, RFC 6184):
// - escaping: the NAL unit rebuilt from its RBSP with canonical emulation prevention (§7.4.1:
//   a 0x03 after two zero bytes before any byte 0x00–0x03) parses to the same SPS;
// - carriage: the same unit in a STAP-A (§5.7.1) and in an FU-A start fragment (§5.8) parses
//   to the same SPS through H264Payload.sequenceParameterSet(in:);
// - prefixes: every prefix either throws h264SPSTruncated or parses to the same SPS, and once
//   one parses all longer ones do (the parser reads nothing past the frame cropping fields).

nonisolated(unsafe) let rbsp = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
nonisolated(unsafe) let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)

/// The RBSP of the NAL unit body in `body`: each 0x03 that follows two zero bytes dropped.
func unescape(_ body: UnsafeRawBufferPointer) -> Int {
    var count = 0
    var zeros = 0
    for byte in body {
        if zeros >= 2 && byte == 0x03 {
            zeros = 0
            continue
        }
        rbsp[count] = byte
        count += 1
        zeros = byte == 0 ? zeros + 1 : 0
    }
    return count
}

/// Writes `header` and the escaped `rbsp[0..<count]` into `scratch`; returns the length.
func escape(header: UInt8, count: Int) -> Int {
    scratch[0] = header
    var length = 1
    var zeros = 0
    for byte in rbsp[0..<count] {
        if zeros >= 2 && byte <= 0x03 {
            scratch[length] = 0x03
            length += 1
            zeros = 0
        }
        scratch[length] = byte
        length += 1
        zeros = byte == 0 ? zeros + 1 : 0
    }
    return length
}

func sps(_ bytes: UnsafeRawBufferPointer) -> H264SequenceParameterSet? {
    try? H264SequenceParameterSet(parsing: bytes)
}

func carried(_ bytes: UnsafeRawBufferPointer) -> H264SequenceParameterSet? {
    guard let payload = try? H264Payload(parsing: bytes) else { return nil }
    return try? payload.sequenceParameterSet(in: bytes)
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        if let found = carried(bytes), found.width == 0 || found.height == 0 {
            fuzzFailure("an SPS of zero size was accepted from an RTP payload")
        }
        guard let parsed = sps(bytes), bytes.count < 1 << 15 else { return }
        guard parsed.width > 0, parsed.height > 0 else { fuzzFailure("accepted an SPS of zero size") }

        let count = unescape(UnsafeRawBufferPointer(rebasing: bytes[1...]))
        let escaped = escape(header: bytes[0], count: count)
        guard sps(UnsafeRawBufferPointer(rebasing: scratch[0..<escaped])) == parsed else {
            fuzzFailure("SPS changed when its emulation prevention was redone")
        }

        // STAP-A: indicator (F and NRI of the unit, type 24), 16-bit size, the unit.
        scratch[0] = bytes[0] & 0xE0 | 24
        scratch[1] = UInt8(bytes.count >> 8)
        scratch[2] = UInt8(bytes.count & 0xFF)
        UnsafeMutableRawBufferPointer(rebasing: scratch[3..<3 + bytes.count]).copyMemory(from: bytes)
        guard carried(UnsafeRawBufferPointer(rebasing: scratch[0..<3 + bytes.count])) == parsed else {
            fuzzFailure("SPS differs inside a STAP-A")
        }
        // FU-A start fragment: indicator (F, NRI, 28), header (S=1, type 7), the unit's body.
        scratch[0] = bytes[0] & 0xE0 | 28
        scratch[1] = 0x80 | 7
        let body = bytes.count - 1
        UnsafeMutableRawBufferPointer(rebasing: scratch[2..<2 + body]).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: bytes[1...]))
        guard carried(UnsafeRawBufferPointer(rebasing: scratch[0..<2 + body])) == parsed else {
            fuzzFailure("SPS differs in an FU-A start fragment")
        }

        guard bytes.count <= 128 else { return }
        var complete = false
        for length in 0..<bytes.count {
            do throws(CodecPayloadError) {
                let prefix = try H264SequenceParameterSet(parsing: UnsafeRawBufferPointer(rebasing: bytes[..<length]))
                guard prefix == parsed else { fuzzFailure("an SPS prefix parsed to another SPS") }
                complete = true
            } catch {
                guard !complete, error == .h264SPSTruncated || (length == 0 && error == .h264PayloadMissing) else {
                    fuzzFailure("SPS prefix of \(length) bytes threw \(error)")
                }
            }
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzH264SPS_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
