import MeshRuntime
import Testing

@Suite("Embedded runtime: clock, timers, posts, inboxes")
struct EmbeddedRuntimeTests {
    @Test("timers fire in due order under advanceTime, at their due times, settling in between")
    func timersInOrder() throws {
        let runtime = EmbeddedRuntime()
        let first = runtime.makeLoop()
        let second = runtime.makeLoop()
        let start = runtime.clock.now()
        let log = Shared<[String]>([])
        @Sendable func note(_ name: String) -> @Sendable () -> Void {
            { log.update { $0.append("\(name)@\((runtime.clock.now() - start) / 1_000_000)") } }
        }
        try first.makeTimer().start(afterMilliseconds: 30, repeatingEvery: 0, note("A"))
        let repeating = try first.makeTimer()
        try repeating.start(afterMilliseconds: 10, repeatingEvery: 20, note("B"))
        try first.makeTimer().start(afterMilliseconds: 10, repeatingEvery: 0) {
            note("C")()
            // Runs before the clock moves on to the next timer.
            first.post { note("C-job")() }
        }
        // Same due time as B and C, on a later loop: after them.
        try second.makeTimer().start(afterMilliseconds: 10, repeatingEvery: 0, note("D"))

        try runtime.runUntilIdle()
        #expect(log.value.isEmpty, "nothing is due before the clock moves")
        try runtime.advanceTime(by: .milliseconds(55))
        #expect(log.value == ["B@10", "C@10", "D@10", "C-job@10", "A@30", "B@30", "B@50"])
        #expect(runtime.clock.now() - start == 55_000_000)
        #expect(runtime.nextTimerDue == start + 70_000_000)

        repeating.stop()
        try runtime.advanceTime(by: .seconds(1))
        #expect(log.value.count == 7, "a stopped timer stays quiet")
        #expect(runtime.nextTimerDue == nil)
    }

    @Test("a timer already due when the clock is moved by hand fires on runUntilIdle")
    func manualClockAdvance() throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let fired = Shared(0)
        try loop.makeTimer().start(afterMilliseconds: 5, repeatingEvery: 0) { fired.update { $0 += 1 } }
        runtime.clock.advance(by: .milliseconds(5))
        #expect(fired.value == 0)
        try runtime.runUntilIdle()
        #expect(fired.value == 1)
    }

    @Test("posts wait for the driver and run in order; run executes at once; a stopped loop refuses both")
    func postsAndRun() async throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let log = Shared<[Int]>([])
        #expect(loop.post { log.update { $0.append(1) } })
        loop.post {
            log.update { $0.append(2) }
            loop.post { log.update { $0.append(3) } }
        }
        let answer = try await loop.run { 42 }
        #expect(answer == 42)
        #expect(log.value.isEmpty, "posted work waits for the driver")
        try runtime.runUntilIdle()
        #expect(log.value == [1, 2, 3], "a job posted by a job runs in the same runUntilIdle")

        loop.stop()
        #expect(!loop.post {})
        await #expect(throws: WorkerError.stopped) { try await loop.run { 0 } }
    }

    @Test("an inbox queues until the driver drains it, then afterDrain runs once; full and closed refuse")
    func inboxDrain() throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        let log = Shared<[String]>([])
        let inbox = try loop.makeInbox(
            of: Int.self, capacity: 3,
            onReceive: { value in log.update { $0.append("\(value)") } },
            afterDrain: { log.update { $0.append("drained") } })
        let results = (1...4).map { inbox.send($0) }
        #expect(results == [.accepted, .accepted, .accepted, .full])
        #expect(log.value.isEmpty)
        try runtime.runUntilIdle()
        #expect(log.value == ["1", "2", "3", "drained"])
        try runtime.runUntilIdle()
        #expect(log.value.count == 4, "an empty inbox does not call afterDrain")
        inbox.close()
        #expect(inbox.send(5) == .closed)
        #expect(loop.openHandleCount == 0)
    }

    @Test("the clock starts at a fixed time and its NTP time moves with it")
    func clockAndNTP() {
        let clock = EmbeddedClock()
        #expect(clock.now() == EmbeddedClock.defaultStart)
        #expect(clock.ntpNow() == EmbeddedClock.ntpStartSeconds << 32)
        clock.advance(by: .milliseconds(1500))
        #expect(clock.now() == EmbeddedClock.defaultStart + 1_500_000_000)
        #expect(clock.ntpNow() == (EmbeddedClock.ntpStartSeconds + 1) << 32 | 1 << 31)
    }

    @Test("a loop reports all simulated time as idle")
    func idleTime() throws {
        let runtime = EmbeddedRuntime()
        let loop = runtime.makeLoop()
        try runtime.advanceTime(by: .milliseconds(20))
        #expect(loop.loopIdleTime == 20_000_000)
    }
}
