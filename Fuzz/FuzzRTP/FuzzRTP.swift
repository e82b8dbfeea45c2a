import FuzzDriver
import MeshWire

// Property: an RTP packet that parses re-marshals (header, extensions, payload, padding) into
// bytes that parse to the same header and payload; its extension block validates or throws,
// never traps.

nonisolated(unsafe) let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard let first = try? RTPPacketView(parsing: bytes) else { return }
        if let extensions = first.headerExtension {
            _ = try? extensions.validate()
        }
        var writer = ByteWriter(output)
        do {
            try RTPHeader(first).marshalPacket(
                payload: first.payload, paddingLength: first.paddingLength, into: &writer)
        } catch {
            fuzzFailure("a parsed RTP packet does not marshal: \(error)")
        }
        let written = UnsafeRawBufferPointer(rebasing: output[0..<writer.offset])
        guard let second = try? RTPPacketView(parsing: written) else {
            fuzzFailure("re-marshalled RTP packet does not parse")
        }
        guard RTPHeader(second) == RTPHeader(first), second.payload.elementsEqual(first.payload) else {
            fuzzFailure("RTP packet changed across a round trip")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzRTP_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
