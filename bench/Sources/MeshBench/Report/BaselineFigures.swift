/// A node's CPU with the run's publishers up and no viewer yet, and the steady window's CPU
/// per forwarded packet net of it (issue 12, "cost grows linearly").
///
/// What a node spends whatever its viewer count (its control plane's timers, the publishers'
/// ingest and the wake-ups their packets cause) is shared by fewer packets at 50 viewers
/// than at capacity, so the plain CPU per packet falls as viewers join even when each
/// forwarded packet costs the same. The net figure is that cost of a forwarded packet.
struct BaselineFigures: Codable, Sendable, Equatable {
    /// CPU use with no viewer, 100 = one core.
    var cpuPercent: Double
    /// How long it was measured for.
    var seconds: Double
    /// The steady window's CPU µs per forwarded packet once ``cpuPercent`` is taken out; `nil`
    /// without a steady window, or when nothing is left.
    var netSteadyCpuUsPerForwardedPacket: Double?
}

extension BaselineFigures {
    /// The figures from the node's CPU microseconds at the baseline's start and end, `seconds`
    /// apart, and the steady window's CPU microseconds, length and forwarded packets; `nil`
    /// when the baseline span is empty or its CPU count fell.
    init?(
        cpuFrom start: Double, to end: Double, seconds: Double,
        steady: (cpuMicroseconds: Double, seconds: Double, packets: Double)?
    ) {
        guard seconds > 0, end >= start else { return nil }
        let perSecond = (end - start) / seconds
        var net: Double?
        if let steady, steady.packets > 0, steady.seconds > 0 {
            let left = steady.cpuMicroseconds - perSecond * steady.seconds
            if left > 0 { net = left / steady.packets }
        }
        self.init(cpuPercent: perSecond / 1e4, seconds: seconds, netSteadyCpuUsPerForwardedPacket: net)
    }
}
