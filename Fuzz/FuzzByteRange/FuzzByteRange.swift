import FuzzDriver
import MeshRecording

// Input: two bytes of file length (0...65535), then a `Range` header value as the client sent
// it (any bytes, decoded as UTF-8 with replacement). Properties: resolving never traps; a part
// lies inside the file and is not empty; asked again as `bytes=FIRST-LAST` (RFC 9110 §14.1.2),
// it resolves to itself; an empty file satisfies no range.

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard bytes.count >= 2 else { return }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        let header = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        let resolved = ByteRange(header: header, length: length)
        guard case .part(let range) = resolved else { return }
        guard range.lowerBound >= 0, range.upperBound <= length, !range.isEmpty else {
            fuzzFailure("\(header) on \(length) bytes resolved to \(range)")
        }
        let again = ByteRange(header: "bytes=\(range.lowerBound)-\(range.upperBound - 1)", length: length)
        guard again == resolved else { fuzzFailure("\(range) asked again resolved to \(again)") }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzByteRange_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
