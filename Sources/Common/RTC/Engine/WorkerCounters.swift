/// One worker's counters, written only on its own thread and copied out for `/metrics`.
struct WorkerCounters {
    var packetsIn = 0
    var bytesIn = 0
    var packetsOut = 0
    var bytesOut = 0
    var packetsForwarded = 0
    var nacksReceived = 0
    var nacksSent = 0
    var retransmissions = 0
    var keyframeRequestsReceived = 0
    var keyframeRequestsSent = 0
    var drops: [String: Int] = [:]

    /// Counts a dropped datagram under `reason` (a short metric label).
    mutating func drop(_ reason: String) {
        drops[reason, default: 0] += 1
    }

    func snapshot(worker: Int, loopUtilisation: Double) -> WorkerMetrics {
        var metrics = WorkerMetrics()
        metrics.worker = worker
        metrics.packetsIn = packetsIn
        metrics.bytesIn = bytesIn
        metrics.packetsOut = packetsOut
        metrics.bytesOut = bytesOut
        metrics.packetsForwarded = packetsForwarded
        metrics.nacksReceived = nacksReceived
        metrics.nacksSent = nacksSent
        metrics.retransmissions = retransmissions
        metrics.keyframeRequestsReceived = keyframeRequestsReceived
        metrics.keyframeRequestsSent = keyframeRequestsSent
        metrics.drops = drops
        metrics.loopUtilisation = loopUtilisation
        return metrics
    }
}
