import MeshCluster
import Yams

/// Turns a scenario's YAML into a `Scenario`, logging every unknown key, wrong type,
/// out-of-range number and missing required key; returns `nil` when a required value is
/// missing or wrong, after decoding (and checking) everything else.
struct ScenarioDecoder {
    let values: ScenarioValueReading
    let references: ScenarioReferences
    var read: YAMLValueReading { values.read }
    var log: DiagnosticLog { values.log }

    init(log: DiagnosticLog, references: ScenarioReferences) {
        self.values = ScenarioValueReading(read: YAMLValueReading(log: log))
        self.references = references
    }

    static let topKeys = [
        "name", "description", "target", "duration_seconds", "publishers", "viewers", "churn", "burst", "faults",
        "limits", "capacity",
    ]

    func decode(_ root: Node) -> Scenario? {
        guard
            let fields = read.fields(
                root, "the scenario", known: Self.topKeys, required: ["name", "target", "duration_seconds", "viewers"])
        else { return nil }
        let name = fields["name"].flatMap { read.string($0, "name")?.value }
        let description = fields["description"].flatMap { read.string($0, "description")?.value }
        let target = fields["target"].flatMap(decodeTarget)
        let duration = fields["duration_seconds"].flatMap { values.integer($0, "duration_seconds", in: 1...3600) }
        let publishers = fields["publishers"].map(decodePublishers) ?? PublisherPlan()
        let viewers = fields["viewers"].map(decodeViewers)
        let churn = fields["churn"].map(decodeChurn) ?? ChurnPlan()
        let burst = fields["burst"].map { decodeBurst($0, duration: duration) }
        let faults = fields["faults"].map { decodeFaults($0, duration: duration) } ?? []
        let limits = fields["limits"].map(decodeLimits) ?? PassCriteria()
        let capacity = fields["capacity"].map(decodeCapacity) ?? CapacityPlan()
        guard let name, let target, let duration, let viewers else { return nil }
        return Scenario(
            name: name, description: description, target: target, durationSeconds: duration,
            publishers: publishers, viewers: viewers, churn: churn, burst: burst, faults: faults, limits: limits,
            capacity: capacity)
    }

    private func decodeTarget(_ node: Node) -> ScenarioTarget? {
        guard let fields = read.fields(node, "target", known: ["topology", "url", "under_test"]) else { return nil }
        let topology = fields["topology"].flatMap { read.string($0, "target.topology") }
        let url = fields["url"].flatMap { read.string($0, "target.url") }
        references.topologyPath = topology
        if let url, HTTPURL(url.value) == nil {
            log.error("target.url must be an http://HOST:PORT URL, found '\(url.value)'", at: url.location)
        }
        var underTest: [String]?
        if let list = fields["under_test"], let items = read.list(list, "target.under_test") {
            let names = items.compactMap { read.string($0, "target.under_test") }
            names.forEach { references.node($0, in: "target.under_test") }
            underTest = names.map(\.value)
            references.needsTopology("target.under_test", at: log.location(of: list))
        }
        switch (topology, url) {
        case (let topology?, nil):
            return ScenarioTarget(source: .topology(path: topology.value), underTest: underTest)
        case (nil, let url?):
            return ScenarioTarget(source: .url(url.value), underTest: underTest)
        case (_?, _?):
            log.error("target has both 'topology' and 'url'; give exactly one", at: fields.location)
            return nil
        case (nil, nil):
            if fields["topology"] == nil, fields["url"] == nil {
                log.error("target needs exactly one of 'topology' or 'url'", at: fields.location)
            }
            return nil
        }
    }

    /// `placement` or a node id (recorded for checking against the topology).
    func decodeEntry(_ node: Node, _ what: String) -> EntryPoint? {
        guard let text = read.string(node, what) else { return nil }
        if text.value == "placement" { return .placement }
        references.node(text, in: what)
        references.needsTopology("\(what) naming a node", at: text.location)
        return .node(text.value)
    }
}
