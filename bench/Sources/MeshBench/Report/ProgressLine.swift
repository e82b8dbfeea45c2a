/// The one-line live status printed while a run goes (rewritten in place with `\r`).
enum ProgressLine {
    /// `  12 s  viewers 180/200  packets/s 21400  loss 0.12 %  latency p50 18 / p99 72 ms`:
    /// packets/s of the last whole second by arrival, "(late)" after it when a viewer worker
    /// stalled in that second.
    static func render(
        elapsedSeconds: Double, viewersConnected: Int, viewersTarget: Int, packetsPerSecond: Double,
        lossPercent: Double, latencyP50Ms: Double, latencyP99Ms: Double, late: Bool = false
    ) -> String {
        let elapsed = FigureFormat.number(elapsedSeconds, digits: 0)
        let padded = String(repeating: " ", count: max(0, 4 - elapsed.count)) + elapsed
        return "\(padded) s  viewers \(viewersConnected)/\(viewersTarget)"
            + "  packets/s \(FigureFormat.number(packetsPerSecond, digits: 0))\(late ? " (late)" : "")"
            + "  loss \(FigureFormat.number(lossPercent)) %"
            + "  latency p50 \(FigureFormat.number(latencyP50Ms, digits: 1)) / p99 \(FigureFormat.number(latencyP99Ms, digits: 1)) ms"
    }
}
