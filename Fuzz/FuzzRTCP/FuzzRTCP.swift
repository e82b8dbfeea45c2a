import FuzzDriver
import MeshWire

// Property: every packet of a compound RTCP packet that parses marshals again, and marshalling
// is stable: parse(marshal(parse(x))) marshals to the same bytes as marshal(parse(x)).

nonisolated(unsafe) let first = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)
nonisolated(unsafe) let second = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 8)

/// Parses every packet of `compound` and marshals it into `output`; nil when a packet is malformed.
func remarshal(_ compound: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
    var packets = RTCPCompoundIterator(compound)
    var writer = ByteWriter(output)
    do {
        while let view = try packets.next() {
            let packet = try RTCPPacket(parsing: view)
            try packet.marshal(into: &writer)
        }
    } catch {
        return nil
    }
    return writer.offset
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard let firstLength = remarshal(bytes, into: first) else { return }
        let once = UnsafeRawBufferPointer(rebasing: first[0..<firstLength])
        guard let secondLength = remarshal(once, into: second) else {
            fuzzFailure("re-marshalled RTCP does not parse")
        }
        guard UnsafeRawBufferPointer(rebasing: second[0..<secondLength]).elementsEqual(once) else {
            fuzzFailure("RTCP marshalling is not stable")
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzRTCP_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
