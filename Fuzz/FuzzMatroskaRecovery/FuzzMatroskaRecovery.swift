import FuzzDriver
import Glibc
import MeshRecording

// Input: the bytes of a `.part` recording segment, cut anywhere or garbage. Properties: the
// scanner never traps (it returns a MatroskaRecoveryError); what it accepts keeps at most the
// input, at least one cluster, and scans the same when cut to what it kept; recovering it as a
// file closes it to a segment that scans to the same clusters and frames.

let directory: String = {
    var template = Array("/tmp/fuzz-mkv-XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
        fuzzFailure("mkdtemp failed")
    }
    return String(cString: made)
}()

func write(_ bytes: UnsafeRawBufferPointer, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { fuzzFailure("cannot create \(path)") }
    defer { close(fd) }
    guard bytes.isEmpty || Glibc.write(fd, bytes.baseAddress, bytes.count) == bytes.count else {
        fuzzFailure("cannot write \(path)")
    }
}

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard let scan = try? MatroskaPartScan(scanning: bytes) else { return }
        guard scan.keptBytes <= bytes.count, scan.clusters >= 1, scan.frames >= scan.clusters else {
            fuzzFailure("scan kept \(scan.keptBytes) of \(bytes.count) bytes, \(scan.clusters) clusters")
        }
        let kept = UnsafeRawBufferPointer(rebasing: bytes.prefix(scan.keptBytes))
        guard let again = try? MatroskaPartScan(scanning: kept), again.keptBytes == scan.keptBytes,
            again.frames == scan.frames
        else { fuzzFailure("the kept prefix does not scan the same") }

        let part = directory + "/input.webm.part"
        write(bytes, to: part)
        guard let recovered = try? MatroskaRecovery.recover(partPath: part) else {
            fuzzFailure("a .part that scans did not recover")
        }
        defer { unlink(recovered.summary.path) }
        let fd = open(recovered.summary.path, O_RDONLY)
        guard fd >= 0 else { fuzzFailure("recovered file missing") }
        defer { close(fd) }
        let closed = UnsafeMutableRawBufferPointer.allocate(byteCount: recovered.summary.bytes, alignment: 1)
        defer { closed.deallocate() }
        guard read(fd, closed.baseAddress, closed.count) == closed.count,
            let final = try? MatroskaPartScan(scanning: UnsafeRawBufferPointer(closed)),
            final.frames == scan.frames, final.clusters == scan.clusters
        else { fuzzFailure("the closed segment does not scan to the same clusters") }
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzMatroskaRecovery_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
