import MeshRTC
import MeshRuntime
import Testing

/// When a worker runs its tick (`WorkerMedia+Ticks.swift`): at the end of a wake-up the loop
/// had anyway once 20 ms passed, else by its timer 30 ms after the last tick, or a second
/// after it while no session or link end is on the worker. Seen through `/health/live`'s time
/// since each loop's last tick, on embedded workers whose clock the test moves.
@Suite("Embedded worker ticks: on wake-ups the loop has anyway, the timer only when none comes", .serialized)
struct EmbeddedTickTests {
    @Test("wake-ups 20 ms apart run the tick; silence: one a second on an idle worker, every 30 ms with a session")
    func ticksRideOnWakeUps() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", workers: 1, firstPort: 10_000)
        let sender = try engines.runtime.network.openSocket(bindingTo: SocketAddress(ipv4: "127.0.0.1", port: 30_999))
        let worker = try SocketAddress(ipv4: "127.0.0.1", port: 10_000)
        func sinceTick() async -> Double { await node.liveness().workers[0].sinceTurnSeconds }
        func poke() throws {
            // An unknown sender's datagram: dropped, but its receive batch ends the wake-up.
            _ = try [UInt8](repeating: 0x80, count: 20).withUnsafeBytes { try sender.send($0, to: worker) }
            try engines.settle()
        }

        // Nothing on the worker: its timer waits a second from the start.
        try engines.advance(by: .milliseconds(999))
        #expect(await sinceTick() >= 0.998)
        try engines.advance(by: .milliseconds(1))
        #expect(await sinceTick() < 0.001)

        // A wake-up under 20 ms after the tick leaves it be.
        try engines.advance(by: .milliseconds(15))
        try poke()
        #expect(await sinceTick() >= 0.014)

        // One 20 ms after it runs the tick, and the timer now waits a second from there.
        try engines.advance(by: .milliseconds(5))
        try poke()
        #expect(await sinceTick() < 0.001)
        try engines.advance(by: .milliseconds(999))
        #expect(await sinceTick() >= 0.998)
        try engines.advance(by: .milliseconds(1))
        #expect(await sinceTick() < 0.001)

        // A session on the worker: from its creation the timer runs every 30 ms, so no
        // moment in silence is further than that from a tick. (The peer is kept: its own timer
        // runs on the same embedded runtime.)
        let publisher = try await engines.publisher(of: "ticks", on: node)
        for _ in 0..<30 {
            try engines.advance(by: .milliseconds(10))
            #expect(await sinceTick() < 0.030)
        }
        #expect(publisher.isConnected)
    }
}
