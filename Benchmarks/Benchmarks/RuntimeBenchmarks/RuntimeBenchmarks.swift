import Benchmark
import MeshRuntime

// UDP loopback packets per second through one media worker: 1200-byte datagrams from one
// socket to another on the same pinned libuv loop, sent with sendmmsg or with UDP GSO and
// received with recvmmsg. One iteration moves `packetsPerIteration` datagrams, so the
// throughput metric times that number is packets per second; mallocs are per iteration.

let packetsPerIteration = 10_000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal],
        warmupIterations: 3, maxDuration: .seconds(3), maxIterations: 200)

    for path in [LoopbackPump.SendPath.sendmmsg, .gso] {
        Benchmark("UDP loopback \(packetsPerIteration) x 1200 B, one worker, \(path.rawValue)") { benchmark in
            let worker = try MediaWorker(index: 0, cpu: 0)
            defer { worker.stop() }
            let pump = try await worker.run { try LoopbackPump(worker: worker, path: path) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await withCheckedContinuation { done in
                    _ = worker.post { pump.start(count: packetsPerIteration, done: done) }
                }
            }
            benchmark.stopMeasurement()
            let lost = try await worker.run {
                pump.close()
                return pump.lost
            }
            if lost > 0 { print("\(path.rawValue): loopback dropped \(lost) datagrams") }
        }
    }
}
