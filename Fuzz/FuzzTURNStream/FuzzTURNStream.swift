import FuzzDriver
import MeshTURN

// Properties of the TCP/TLS de-framer (RFC 8656 §12.5): the first input byte chooses how the
// rest is cut into reads. Whatever the cuts, the frames delivered and whether the stream fails
// are the same as for one read holding everything; each frame is a whole STUN message (20 +
// its length) or ChannelData without padding (4 + its length); on success, the frames, their
// padding and the bytes held for the next read add up to the input.

struct Outcome: Equatable {
    var frames: [[UInt8]] = []
    var failed = false
    var pending = 0
}

func reassemble(_ bytes: UnsafeRawBufferPointer, cuts: UInt8) -> Outcome {
    var reassembler = TURNStreamReassembler()
    var outcome = Outcome()
    var offset = 0
    var step = 0
    while offset < bytes.count {
        // Read sizes from 1 to 64 bytes in a pattern the seed byte picks; 0 means one read.
        let size = cuts == 0 ? bytes.count : 1 + (Int(cuts) &* (step + 1) &+ step * 7) % 64
        let end = min(bytes.count, offset + size)
        do {
            try reassembler.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) { frame in
                outcome.frames.append(Array(frame))
            }
        } catch {
            outcome.failed = true
            return outcome
        }
        offset = end
        step += 1
    }
    outcome.pending = reassembler.pendingByteCount
    return outcome
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { input in
        guard let cuts = input.first else { return }
        let stream = UnsafeRawBufferPointer(rebasing: input[1...])
        let whole = reassemble(stream, cuts: 0)
        let pieces = reassemble(stream, cuts: cuts)
        guard whole == pieces else { fuzzFailure("cutting the stream into reads changed the frames") }
        var accounted = whole.pending
        for frame in whole.frames {
            guard frame.count >= 4 else { fuzzFailure("a frame shorter than its header") }
            let declared = Int(frame[2]) << 8 | Int(frame[3])
            if frame[0] >> 6 == 0 {
                guard frame.count == 20 + declared else { fuzzFailure("a STUN frame of the wrong length") }
                accounted += frame.count
            } else {
                guard frame[0] >> 6 == 1, frame.count == 4 + declared else {
                    fuzzFailure("a ChannelData frame of the wrong length")
                }
                accounted += 4 + (declared + 3) / 4 * 4
            }
        }
        guard whole.failed || accounted == stream.count else { fuzzFailure("bytes lost or invented by the framer") }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzTURNStream_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
