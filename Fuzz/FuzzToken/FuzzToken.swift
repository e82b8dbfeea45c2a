import FuzzDriver
import MeshCrypto

// Property: whatever arrives as a Bearer token is refused with a TokenError or verified; a
// verified token's claims, signed again with the same secret, verify to the same claims.
// Base64url decoding and encoding round-trip.

let secret = Array("fuzzing-secret-0123456789".utf8)
let verifier = StreamTokenVerifier(secret: secret)

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let claims = try? verifier.verify(text, stream: "fuzz", action: .publish) {
            guard let again = try? claims.signed(secret: secret),
                (try? verifier.verify(again, stream: "fuzz", action: .publish)) == claims
            else { fuzzFailure("verified claims do not verify again after signing: \(text)") }
        }
        if let decoded = Base64URL.decode(text) {
            guard Base64URL.decode(Base64URL.encode(decoded)) == decoded else {
                fuzzFailure("base64url round trip changed \(text)")
            }
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzToken_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
