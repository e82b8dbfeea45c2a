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
    var paddingPackets = 0
    var keyframeRequestsReceived = 0
    var keyframeRequestsSent = 0
    var linkDatagramsSegmented = 0
    var handshakeRecordsDeferred = 0
    /// Drops by reason; a reason's first drop inserts its key, later ones only count.
    private var drops: [DropReason: Int] = [:]
    /// Datagrams a session's transport refused, by its reason.
    private var transportDrops: [PeerDropReason: Int] = [:]

    /// Counts `count` dropped datagrams or packets under `reason`.
    mutating func drop(_ reason: DropReason, count: Int = 1) {
        drops[reason, default: 0] &+= count
    }

    /// Counts a datagram a session's transport refused.
    mutating func drop(_ reason: PeerDropReason) {
        transportDrops[reason, default: 0] &+= 1
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
        metrics.paddingPackets = paddingPackets
        metrics.keyframeRequestsReceived = keyframeRequestsReceived
        metrics.keyframeRequestsSent = keyframeRequestsSent
        metrics.linkDatagramsSegmented = linkDatagramsSegmented
        metrics.handshakeRecordsDeferred = handshakeRecordsDeferred
        for (reason, count) in drops { metrics.drops[reason.rawValue] = count }
        for (reason, count) in transportDrops { metrics.drops[reason.name] = count }
        metrics.loopUtilisation = loopUtilisation
        return metrics
    }
}
