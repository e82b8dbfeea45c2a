import Foundation
import MeshRuntime
import Testing

/// `ProcessUsage.sleeps`: the voluntary context switches of a process's threads, which
/// meshbench reads from a node under test (proc(5), `/proc/[pid]/task/[tid]/status`).
@Suite struct ProcessSleepsTests {
    @Test func voluntarySwitchesAreReadFromTheirOwnLineAndNotTheInvoluntaryOne() {
        // Lines of a Linux 6.x status file, in the kernel's order: the involuntary count
        // follows the voluntary one and shares its suffix.
        let status = """
            Name:\tmesh-worker-0
            State:\tS (sleeping)
            Threads:\t12
            voluntary_ctxt_switches:\t109
            nonvoluntary_ctxt_switches:\t355
            """
        #expect(ProcessUsage.voluntarySwitches(fromStatus: status) == 109)
        #expect(ProcessUsage.voluntarySwitches(fromStatus: "nonvoluntary_ctxt_switches:\t5\n") == nil)
        #expect(ProcessUsage.voluntarySwitches(fromStatus: "voluntary_ctxt_switches:\tmany\n") == nil)
        #expect(ProcessUsage.voluntarySwitches(fromStatus: "") == nil)
    }

    @Test func eachSleepOfAThreadIsCountedAndTheProcessSumHoldsIt() throws {
        let own = {
            try #require(
                ProcessUsage.voluntarySwitches(
                    fromStatus: String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)))
        }
        let before = try own()
        for _ in 0..<20 { usleep(1_000) }
        let after = try own()
        #expect(after >= before + 20)
        // Other threads may have exited and taken their counts, but never this one's.
        #expect(try #require(ProcessUsage.sleeps()) >= after)
    }
}
