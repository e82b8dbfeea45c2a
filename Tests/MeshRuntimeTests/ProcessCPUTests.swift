import Foundation
import MeshRuntime
import Testing

/// `ProcessUsage.cpuSeconds`: a process's CPU time from its CPU-time clock (clock_getcpuclockid(3),
/// POSIX.1-2001), in nanoseconds rather than `/proc/[pid]/stat`'s 10 ms ticks, so that meshbench
/// can measure a node's CPU over a window of a few seconds at 1 % load.
@Suite struct ProcessCPUTests {
    @Test func aTwoMillisecondSpinIsSeenToTheMillisecond() throws {
        let before = try #require(ProcessUsage.cpuSeconds())
        let start = ContinuousClock.now
        var spins = 0
        while start.duration(to: .now) < .milliseconds(2) { spins &+= 1 }
        let spent = try #require(ProcessUsage.cpuSeconds()) - before
        // A tick-counted reading moves by 0 or 10 ms; this one by the spin's 2 ms (other
        // threads of the test process may add a little, the host may take a little).
        #expect(spent > 0.000_5 && spent < 0.009, "\(spent) s for \(spins) spins")
    }

    @Test func anotherProcessIsReadByItsPidAndAGoneOneIsNil() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["1"]
        try child.run()
        let pid = child.processIdentifier
        let clock = try #require(ProcessUsage.cpuSeconds(of: pid))
        // A sleeping child: little CPU, and the clock agrees with proc(5)'s ticks to within two.
        #expect(clock < 0.5)
        let ticks = try #require(
            ProcessUsage.ticks(fromStat: String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)))
        #expect(abs(clock - Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))) < 0.02)
        // (A signal may be blocked in the child, as in the test process: it ends on its own.)
        child.waitUntilExit()
        #expect(ProcessUsage.cpuSeconds(of: pid) == nil)
    }
}
