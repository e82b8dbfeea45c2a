extension PassCriteria {
    /// Whether a run of `viewers` viewers stayed within the limits: every viewer received media,
    /// loss after retransmission and latency p99 no higher than allowed.
    func admits(_ report: RunReport, viewers: Int) -> Bool {
        report.viewers.connected == viewers && report.loss.percentAfter <= lossAfterRetransmissionPercent
            && report.latencyMs.p99 <= latencyP99Ms
    }
}
