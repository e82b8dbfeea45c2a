import MeshCluster
import Yams

/// The load sections: publishers, viewers, churn, limits and capacity. Every field has a
/// default, so a bad value is logged and the default kept (the load fails on the log anyway).
extension ScenarioDecoder {
    func decodePublishers(_ node: Node) -> PublisherPlan {
        var plan = PublisherPlan()
        let known = ["count", "enter", "stream", "video", "audio"]
        guard let fields = read.fields(node, "publishers", known: known) else { return plan }
        if let count = fields["count"].flatMap({ values.integer($0, "publishers.count", in: 1...1000) }) {
            plan.count = count
        }
        if let enter = fields["enter"].flatMap({ decodeEntry($0, "publishers.enter") }) { plan.enter = enter }
        if let stream = fields["stream"].flatMap({ read.string($0, "publishers.stream") }) {
            plan.stream = stream.value
            if plan.count > 1, !stream.value.contains("{n}") {
                log.error(
                    "publishers.stream '\(stream.value)' has no '{n}', so \(plan.count) publishers would share one stream",
                    at: stream.location)
            }
        }
        if let video = fields["video"] { plan.video = decodeVideo(video) }
        if let audio = fields["audio"] { plan.audio = decodeAudio(audio) }
        return plan
    }

    private func decodeVideo(_ node: Node) -> VideoPlan {
        var plan = VideoPlan()
        guard let fields = read.fields(node, "publishers.video", known: ["codec", "bitrate_kbps", "simulcast"])
        else { return plan }
        if let codec = fields["codec"].flatMap({ values.word($0, "video codec", among: ["vp8"]) }) {
            plan.codec = codec
        }
        if let rate = fields["bitrate_kbps"].flatMap({
            values.integer($0, "publishers.video.bitrate_kbps", in: 50...20000)
        }) {
            plan.bitrateKbps = rate
        }
        if let simulcast = fields["simulcast"].flatMap({ values.boolean($0, "publishers.video.simulcast") }) {
            plan.simulcast = simulcast
        }
        return plan
    }

    /// `audio: none` or `audio: {codec: opus}`.
    private func decodeAudio(_ node: Node) -> AudioPlan? {
        if case .scalar(let scalar) = node, scalar.string == "none" { return nil }
        guard let fields = read.fields(node, "publishers.audio", known: ["codec"]) else { return AudioPlan() }
        var plan = AudioPlan()
        if let codec = fields["codec"].flatMap({ values.word($0, "audio codec", among: ["opus"]) }) {
            plan.codec = codec
        }
        return plan
    }

    func decodeViewers(_ node: Node) -> ViewerPlan {
        var plan = ViewerPlan()
        let known = ["count", "enter", "regions", "ramp_per_second", "streams", "turn"]
        guard let fields = read.fields(node, "viewers", known: known, required: ["count"]) else { return plan }
        if let count = fields["count"].flatMap({ values.integer($0, "viewers.count", in: 0...100_000) }) {
            plan.count = count
        }
        if let enter = fields["enter"].flatMap({ decodeEntry($0, "viewers.enter") }) { plan.enter = enter }
        if let list = fields["regions"], let items = read.list(list, "viewers.regions") {
            let names = items.compactMap { read.string($0, "viewers.regions") }
            names.forEach { references.region($0, in: "viewers.regions") }
            plan.regions = names.map(\.value)
        }
        if let ramp = fields["ramp_per_second"].flatMap({
            values.integer($0, "viewers.ramp_per_second", in: 1...10_000)
        }) {
            plan.rampPerSecond = ramp
        }
        let assignments = StreamAssignment.allCases.map(\.rawValue)
        if let word = fields["streams"].flatMap({ values.word($0, "viewers.streams", among: assignments) }),
            let assignment = StreamAssignment(rawValue: word)
        {
            plan.streams = assignment
        }
        if let turnNode = fields["turn"] {
            plan.turn = decodeTURN(turnNode)
            if let turn = plan.turn {
                var entry: String?
                if case .node(let id) = plan.enter { entry = id }
                references.turn = (turn.transport.rawValue, log.location(of: turnNode), entry)
            }
        }
        return plan
    }

    /// `turn: false`, `turn: true` (UDP, with the direct baseline) or
    /// `turn: {transport: udp|tcp, direct_baseline: true|false}`.
    private func decodeTURN(_ node: Node) -> TURNPlan? {
        if case .scalar = node {
            return values.boolean(node, "viewers.turn") == true ? TURNPlan() : nil
        }
        var plan = TURNPlan()
        guard let fields = read.fields(node, "viewers.turn", known: ["transport", "direct_baseline"]) else {
            return plan
        }
        let transports = ["udp", "tcp"]
        if let word = fields["transport"].flatMap({ values.word($0, "viewers.turn.transport", among: transports) }),
            let transport = TURNServerLink.Transport(rawValue: word)
        {
            plan.transport = transport
        }
        if let baseline = fields["direct_baseline"].flatMap({ values.boolean($0, "viewers.turn.direct_baseline") }) {
            plan.directBaseline = baseline
        }
        return plan
    }

    func decodeChurn(_ node: Node) -> ChurnPlan {
        var plan = ChurnPlan()
        guard let fields = read.fields(node, "churn", known: ["joins_per_second", "leaves_per_second"]) else {
            return plan
        }
        if let joins = fields["joins_per_second"].flatMap({
            values.number($0, "churn.joins_per_second", in: 0...10_000)
        }) {
            plan.joinsPerSecond = joins
        }
        if let leaves = fields["leaves_per_second"].flatMap({
            values.number($0, "churn.leaves_per_second", in: 0...10_000)
        }) {
            plan.leavesPerSecond = leaves
        }
        return plan
    }

    func decodeLimits(_ node: Node) -> PassCriteria {
        var criteria = PassCriteria()
        let known = ["loss_after_retransmission_percent", "latency_p99_ms"]
        guard let fields = read.fields(node, "limits", known: known) else { return criteria }
        if let loss = fields["loss_after_retransmission_percent"].flatMap({
            values.number($0, "limits.loss_after_retransmission_percent", in: 0...100)
        }) {
            criteria.lossAfterRetransmissionPercent = loss
        }
        if let latency = fields["latency_p99_ms"].flatMap({ values.number($0, "limits.latency_p99_ms", in: 1...60_000) }
        ) {
            criteria.latencyP99Ms = latency
        }
        return criteria
    }

    func decodeCapacity(_ node: Node) -> CapacityPlan {
        var plan = CapacityPlan()
        guard let fields = read.fields(node, "capacity", known: ["start", "step", "max", "trial_seconds"]) else {
            return plan
        }
        if let start = fields["start"].flatMap({ values.integer($0, "capacity.start", in: 1...100_000) }) {
            plan.start = start
        }
        if let step = fields["step"].flatMap({ values.integer($0, "capacity.step", in: 1...100_000) }) {
            plan.step = step
        }
        if let maxNode = fields["max"], let max = values.integer(maxNode, "capacity.max", in: 1...100_000) {
            plan.max = max
            if max < plan.start {
                log.error("capacity.max \(max) is below capacity.start \(plan.start)", at: maxNode)
            }
        }
        if let trial = fields["trial_seconds"].flatMap({ values.integer($0, "capacity.trial_seconds", in: 1...3600) }) {
            plan.trialSeconds = trial
        }
        return plan
    }
}
