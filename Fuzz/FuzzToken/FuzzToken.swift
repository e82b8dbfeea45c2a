import FuzzDriver
import MeshCrypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// Property: whatever arrives as a Bearer token is refused with a TokenError or verified; a
// verified token's claims, signed again with the key its kid names, verify to the same claims.
// Base64url decoding and encoding round-trip. A revocation body (POST /v1/tokens/revoke) is
// refused with an error or parses, and what parses encodes and parses back to the same request.

let secret = Array("fuzzing-secret-0123456789".utf8)
let named = TokenKey(id: "k1", secret: Array("fuzzing-named-key-0123456789".utf8))
let ring = TokenKeyRing(primary: secret, keys: [named])
let verifier = StreamTokenVerifier(keys: ring)

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let claims = try? verifier.verify(text, stream: "fuzz", action: .publish) {
            guard let key = try? ring.secret(for: claims.keyID), let again = try? claims.signed(secret: key),
                (try? verifier.verify(again, stream: "fuzz", action: .publish)) == claims
            else { fuzzFailure("verified claims do not verify again after signing: \(text)") }
        }
        if let decoded = Base64URL.decode(text) {
            guard Base64URL.decode(Base64URL.encode(decoded)) == decoded else {
                fuzzFailure("base64url round trip changed \(text)")
            }
        }
        if let request = try? RevocationRequest.parse(bytes) {
            guard let encoded = try? JSONEncoder().encode(request),
                (try? RevocationRequest.parse(Array(encoded))) == request
            else { fuzzFailure("a parsed revocation request does not parse again: \(text)") }
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
