import Glibc

/// Measures what this machine charges a thread, in its own CPU time, to go to sleep and wake
/// up once: the other floor under a node's CPU per packet. A worker that sleeps between
/// bursts pays it once per burst, so at low load (small bursts, a few hundred a second) it is
/// a large share of each packet's cost, and at capacity (the worker rarely sleeps) almost
/// none. On bare metal the pair costs a few microseconds; on this project's 2-core virtual
/// machine it measured 26 to 37 µs (2026-12-06), as much as forwarding six packets.
///
/// The thread waits `sleeps` times in `poll` with no descriptors, each time for
/// `sleepMilliseconds`: the same timed sleep in the kernel (`schedule_hrtimeout_range`) as a
/// libuv loop's `epoll_wait` with nothing to do. Each wait's CPU time (user + system) is read
/// around it, and the figure is their median: a mean over 100 waits read 19 to 81 µs in three
/// probes a minute apart here, a few waits that the host interrupted weighing on it.
struct WakeUpProbe {
    var sleeps = 100
    /// About the gap between a 50-viewer worker's bursts.
    var sleepMilliseconds: Int32 = 4

    /// The median CPU microseconds of one sleep and wake-up.
    func measure() throws -> Double {
        var costs: [Double] = []
        costs.reserveCapacity(sleeps)
        for _ in 0..<sleeps {
            let start = SendLimitProbe.threadCPUSeconds()
            guard poll(nil, 0, sleepMilliseconds) >= 0 || errno == EINTR else {
                throw SendLimitError(operation: "poll", code: errno)
            }
            costs.append((SendLimitProbe.threadCPUSeconds() - start) * 1e6)
        }
        costs.sort()
        return costs[costs.count / 2]
    }
}
