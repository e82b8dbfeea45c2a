import Benchmark
import MeshWire

let benchmarks: @Sendable () -> Void = {
    Benchmark("ByteReader 32-bit fields", configuration: .init(metrics: [.wallClock, .mallocCountTotal])) { benchmark in
        let bytes: [UInt8] = Array(repeating: 0xAB, count: 1200)
        bytes.withUnsafeBytes { raw in
            for _ in benchmark.scaledIterations {
                var reader = ByteReader(raw)
                var sum: UInt32 = 0
                while let word = reader.readUInt32() { sum &+= word }
                blackHole(sum)
            }
        }
    }
}
