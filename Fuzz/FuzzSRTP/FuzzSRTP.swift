import FuzzDriver
import MeshCrypto
import MeshWire

// Properties of the built-in SRTP transforms (RFC 7714 GCM, RFC 3711 AES-CM with HMAC-SHA1),
// which read network input: unprotecting arbitrary bytes as SRTP or SRTCP returns a length or
// an SRTPError, never traps; any RTP or RTCP packet that protects unprotects back to the same
// bytes; and for AES-CM, the built-in transform protects to exactly the bytes libsrtp2 does.

nonisolated(unsafe) let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
nonisolated(unsafe) let reference = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
let masterKeys = [
    try! SRTPMasterKey(profile: .aeadAES128GCM, key: Array(0..<16), salt: Array(16..<28)),
    try! SRTPMasterKey(profile: .aesCM128HmacSHA1_80, key: Array(0..<16), salt: Array(16..<30)),
]

/// Protects `bytes` through `implementation` into `into`; the protected length, or nil when
/// the packet was refused.
func protect(
    _ bytes: UnsafeRawBufferPointer, _ masterKey: SRTPMasterKey, rtcp: Bool, implementation: SRTPImplementation,
    into output: UnsafeMutableRawBufferPointer
) -> Int? {
    guard var sender = try? SRTPSender(masterKey, implementation: implementation) else {
        fuzzFailure("\(masterKey.profile) \(implementation) sender could not be created")
    }
    output.copyMemory(from: bytes)
    return rtcp
        ? try? sender.protectRTCP(output, length: bytes.count) : try? sender.protectRTP(output, length: bytes.count)
}

func roundTrip(_ bytes: UnsafeRawBufferPointer, _ masterKey: SRTPMasterKey, rtcp: Bool) {
    guard let protected = protect(bytes, masterKey, rtcp: rtcp, implementation: .builtIn, into: buffer) else { return }
    if masterKey.profile == .aesCM128HmacSHA1_80 {
        let theirs = protect(bytes, masterKey, rtcp: rtcp, implementation: .libsrtp, into: reference)
        guard let theirs, theirs == protected, buffer[0..<protected].elementsEqual(reference[0..<theirs]) else {
            fuzzFailure("AES-CM protected differently from libsrtp (rtcp: \(rtcp), \(bytes.count) bytes)")
        }
    }
    guard var receiver = try? SRTPReceiver(masterKey) else { fuzzFailure("receiver could not be created") }
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
        let isRTP = (try? RTPPacketView(parsing: bytes)) != nil
        var compound = RTCPCompoundIterator(bytes)
        let isRTCP = (try? compound.next()) != nil
        for masterKey in masterKeys {
            for rtcp in [false, true] {
                guard var receiver = try? SRTPReceiver(masterKey) else { fuzzFailure("receiver could not be created") }
                buffer.copyMemory(from: bytes)
                _ =
                    rtcp
                    ? try? receiver.unprotectRTCP(buffer, length: bytes.count)
                    : try? receiver.unprotectRTP(buffer, length: bytes.count)
            }
            if isRTP { roundTrip(bytes, masterKey, rtcp: false) }
            if isRTCP { roundTrip(bytes, masterKey, rtcp: true) }
        }
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
