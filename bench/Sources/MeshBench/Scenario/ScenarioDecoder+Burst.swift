import Yams

/// The `burst` section: a join burst on top of the steady viewers (``BurstPlan``).
extension ScenarioDecoder {
    func decodeBurst(_ node: Node, duration: Int?) -> BurstPlan {
        var plan = BurstPlan()
        let known = ["count", "per_second", "steady_seconds", "minimum_rate_percent", "latency_p99_ms"]
        guard let fields = read.fields(node, "burst", known: known) else { return plan }
        if let count = fields["count"].flatMap({ values.integer($0, "burst.count", in: 1...100_000) }) {
            plan.count = count
        }
        if let rate = fields["per_second"].flatMap({ values.integer($0, "burst.per_second", in: 1...10_000) }) {
            plan.perSecond = rate
        }
        if let steady = fields["steady_seconds"].flatMap({ values.integer($0, "burst.steady_seconds", in: 2...600) }) {
            plan.steadySeconds = steady
        }
        if let share = fields["minimum_rate_percent"].flatMap({
            values.number($0, "burst.minimum_rate_percent", in: 0...100)
        }) {
            plan.minimumRatePercent = share
        }
        if let latency = fields["latency_p99_ms"].flatMap({ values.number($0, "burst.latency_p99_ms", in: 1...60_000) })
        {
            plan.latencyP99Ms = latency
        }
        if let duration, Double(duration) < plan.seconds {
            log.error(
                "burst: duration_seconds \(duration) is shorter than the burst needs after the ramp "
                    + "(\(Int(plan.seconds)) s: settling, steady_seconds, joining, and \(Int(JoinBurst.trailingSeconds)) s after)",
                at: node)
        }
        return plan
    }
}
