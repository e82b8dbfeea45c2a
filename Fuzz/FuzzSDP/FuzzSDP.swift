import FuzzDriver
import MeshWire

// Property: whatever SDP parses serializes to text that parses to the same value, and the
// second serialization is the first one again. Also exercises the trickle-ICE sdpfrag parser.

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        if let first = try? SessionDescription(parsing: bytes) {
            let text = first.serialized
            guard let second = try? SessionDescription(parsing: text) else {
                fuzzFailure("SDP serialization does not parse again:\n\(text)")
            }
            guard second == first, second.serialized == text else {
                fuzzFailure("SDP changed across a round trip:\n\(text)")
            }
        }
        if let fragment = try? TrickleICEFragment(parsing: bytes) {
            let text = fragment.serialized
            guard let again = try? TrickleICEFragment(parsing: text), again == fragment else {
                fuzzFailure("sdpfrag changed across a round trip:\n\(text)")
            }
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzSDP_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
