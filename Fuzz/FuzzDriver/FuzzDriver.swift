// Runs libFuzzer from a Swift executable whose `main` SwiftPM names `<target>_main`.
// Each fuzz target calls `runFuzzer` from that entry point with a plain Swift function; the
// target's `@_cdecl("LLVMFuzzerTestOneInput")` wraps the same function, because libFuzzer's
// `-sanitize=fuzzer` link insists on finding that symbol even when the driver is used.

/// The signature libFuzzer calls for each input.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzTestOneInput
) -> Int32

/// Hands the process arguments to libFuzzer and runs `testOneInput` on every input it makes.
public func runFuzzer(
    argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, testOneInput: FuzzTestOneInput
) -> Int32 {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}

/// Borrows libFuzzer's input as a raw buffer (libFuzzer passes a null pointer for empty input).
public func withFuzzInput<R>(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    body(UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size))
}

/// Stops the run loudly: a round-trip property broke, so libFuzzer saves the input as a crash.
public func fuzzFailure(_ message: String) -> Never {
    fatalError("round-trip property failed: \(message)")
}
