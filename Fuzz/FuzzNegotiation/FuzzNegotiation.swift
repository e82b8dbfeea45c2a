import FuzzDriver
import MeshRTC
import MeshWire

// Property: any WHIP or WHEP offer gets an answer or a NegotiationError, never a crash; every
// answer the node would send parses as SDP again. PATCH bodies (sdpfrag) likewise.

let local = LocalTransport(
    ufrag: "fuzzUfrag", password: "fuzzPasswordFuzzPassword",
    fingerprint: "sha-256 " + Array(repeating: "AB", count: 32).joined(separator: ":"),
    candidates: [LocalCandidate(ip: "127.0.0.1", port: 40000)])
let negotiator = SessionNegotiator()

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        let offer = String(decoding: bytes, as: UTF8.self)
        for role in [NegotiationRole.publisher, .viewer] {
            var next: UInt32 = 1
            guard
                let session = try? negotiator.answer(
                    offer: offer, role: role, local: local, streamName: "fuzz",
                    makeSSRC: {
                        next &+= 7919
                        return next
                    })
            else { continue }
            guard (try? SessionDescription(parsing: session.answer)) != nil else {
                fuzzFailure("the answer to an accepted offer does not parse:\n\(session.answer)")
            }
        }
        if let restart = try? negotiator.restartAnswerFragment(
            fragment: offer, localUfrag: "newUfrag", localPassword: "newPasswordNewPassword1",
            candidates: local.candidates)
        {
            guard (try? TrickleICEFragment(parsing: restart.fragment)) != nil else {
                fuzzFailure("the restart answer does not parse:\n\(restart.fragment)")
            }
        }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzNegotiation_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
