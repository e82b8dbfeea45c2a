import FuzzDriver
import MeshCrypto
import MeshWire

// Properties of the AEAD-AES-128-GCM transform (RFC 7714), which reads network input:
// unprotecting arbitrary bytes as SRTP or SRTCP returns a length or an SRTPError, never traps;
// and any RTP or RTCP packet that protects unprotects back to the same bytes.

nonisolated(unsafe) let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
nonisolated(unsafe) let original = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
let masterKey = try! SRTPMasterKey(
    profile: .aeadAES128GCM, key: Array(0..<16), salt: Array(16..<28))

func roundTrip(_ bytes: UnsafeRawBufferPointer, rtcp: Bool) {
    guard var sender = try? SRTPSender(masterKey), var receiver = try? SRTPReceiver(masterKey) else {
        fuzzFailure("GCM contexts could not be created")
    }
    buffer.copyMemory(from: bytes)
    guard
        let protected = rtcp
            ? try? sender.protectRTCP(buffer, length: bytes.count)
            : try? sender.protectRTP(buffer, length: bytes.count)
    else { return }
    let length =
        rtcp
        ? try? receiver.unprotectRTCP(buffer, length: protected)
        : try? receiver.unprotectRTP(buffer, length: protected)
    guard let length, UnsafeRawBufferPointer(rebasing: buffer[0..<length]).elementsEqual(bytes) else {
        fuzzFailure("a packet that protected did not unprotect to itself (rtcp: \(rtcp), \(bytes.count) bytes)")
    }
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard bytes.count <= 1 << 16 else { return }
        for rtcp in [false, true] {
            guard var receiver = try? SRTPReceiver(masterKey) else { fuzzFailure("GCM receiver could not be created") }
            buffer.copyMemory(from: bytes)
            _ =
                rtcp
                ? try? receiver.unprotectRTCP(buffer, length: bytes.count)
                : try? receiver.unprotectRTP(buffer, length: bytes.count)
        }
        if (try? RTPPacketView(parsing: bytes)) != nil { roundTrip(bytes, rtcp: false) }
        var compound = RTCPCompoundIterator(bytes)
        if (try? compound.next()) != nil { roundTrip(bytes, rtcp: true) }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzSRTP_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
