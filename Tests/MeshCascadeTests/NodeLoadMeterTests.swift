import MeshCluster
import MeshRuntime
import Testing

@testable import MeshCascade

/// The heartbeat's live load: deltas of the engine's counters and of the process CPU time.
@Suite struct NodeLoadMeterTests {
    @Test func cpuTicksAreCountedFromTheLastParenthesisOfProcStat() {
        // proc(5) /proc/[pid]/stat: pid, (comm), state, ppid, pgrp, session, tty_nr, tpgid,
        // flags, minflt, cminflt, majflt, cmajflt, utime=250, stime=75, ... The command name
        // holds a space and a ')', which is why fields are counted after the last ')'.
        let line = "1234 (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 5000"
        #expect(ProcessUsage.ticks(fromStat: line) == 325)
        #expect(ProcessUsage.ticks(fromStat: "1234 (short) S 1 2") == nil)
        #expect(ProcessUsage.ticks(fromStat: "no parenthesis at all") == nil)
    }

    @Test func loadIsTheDeltaOverElapsedTimeAndCPUIsPerWorker() {
        var meter = NodeLoadMeter(workers: 2)
        let first = NodeLoadMeter.Sample(
            now: 1_000_000_000, bytesOut: 1_000, packetsOut: 10, cpuSeconds: 3, sessions: 4)
        #expect(meter.load(after: first) == NodeStatus.Load(sessions: 4))
        // Half a second later: 62,500 bytes (1 Mbit/s), 50 packets (100/s), 0.5 CPU s over 2 workers.
        let second = NodeLoadMeter.Sample(
            now: 1_500_000_000, bytesOut: 63_500, packetsOut: 60, cpuSeconds: 3.5, sessions: 5)
        let load = meter.load(after: second)
        #expect(load.egressBitsPerSecond == 1_000_000)
        #expect(load.packetsPerSecond == 100)
        #expect(load.cpu == 0.5)
        #expect(load.sessions == 5)
    }

    @Test func countersThatWentBackwardsReadAsZeroAndUnknownCPUAsIdle() {
        var meter = NodeLoadMeter(workers: 1)
        _ = meter.load(after: .init(now: 1_000_000_000, bytesOut: 5_000, packetsOut: 50, cpuSeconds: nil, sessions: 1))
        let load = meter.load(
            after: .init(now: 2_000_000_000, bytesOut: 100, packetsOut: 1, cpuSeconds: 1, sessions: 1))
        #expect(load.egressBitsPerSecond == 0)
        #expect(load.packetsPerSecond == 0)
        #expect(load.cpu == 0)
    }

    @Test func capacityTakesTheSmallerOfSessionsAndViewersAndEgressInBits() throws {
        var node = TopologyNode(
            id: "edge-a", role: .edge, region: "r", api: EndpointAddress(host: "127.0.0.1", port: 8082),
            mediaHost: "127.0.0.1", announceIP: "127.0.0.1", ports: try #require(PortRange(first: 40200, last: 40299)),
            workers: WorkerPlan(count: 1, pinning: .inOrder),
            capacity: NodeCapacity(sessions: 500, egressMbps: 800, viewers: 450))
        #expect(NodeAnnouncer.capacity(of: node) == .init(sessions: 450, egressBitsPerSecond: 800_000_000))
        node.capacity = nil
        // Unlimited stays above any count the reservation script compares with.
        #expect(NodeAnnouncer.capacity(of: node).sessions == Int(Int32.max))
    }
}
