import Foundation
import FuzzDriver
import MeshCrypto
import MeshRTC

// Property: whatever arrives as a sealed box, or as the JSON of a link set-up request, is refused
// with an error (AEADError, SealedKeysError, DecodingError) or opens; what opens seals and opens
// again to the same keys. Nothing traps.

let seal: LinkKeySeal = {
    do { return try LinkKeySeal(clusterSecret: Array("fuzzing cluster secret".utf8)) } catch {
        fatalError("no seal: \(error)")
    }
}()
let boxKey: AES256GCMKey = {
    do { return try AES256GCMKey(bytes: [UInt8](repeating: 0x42, count: 32)) } catch { fatalError("\(error)") }
}()

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        // The raw box decoder and AES-256-GCM open.
        if let box = try? SealedBox(combined: bytes), let plaintext = try? boxKey.open(box, associatedData: []) {
            guard let again = try? boxKey.seal(plaintext, associatedData: []),
                (try? boxKey.open(again, associatedData: [])) == plaintext
            else { fuzzFailure("an opened box does not seal and open again") }
        }
        // The JSON body of POST /internal/v1/links, opened as the routes open it.
        guard let request = try? JSONDecoder().decode(SealedLinkSetupRequest.self, from: Data(bytes)),
            let opened = try? request.opened(with: seal)
        else { return }
        guard let resealed = try? SealedLinkSetupRequest(sealing: opened, with: seal),
            (try? resealed.opened(with: seal)) == opened
        else { fuzzFailure("opened keys do not seal and open again") }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzSealedLinkKeys_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
