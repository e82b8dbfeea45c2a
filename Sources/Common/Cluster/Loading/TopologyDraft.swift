/// A topology as decoded from YAML, before cross-checks: every field that failed to decode
/// is `nil`, and every name keeps its location so the validator can point at it.
struct TopologyDraft {
    var mesh: Located<String>?
    var regions: [RegionDraft] = []
    var latencies: [LatencyDraft] = []
    var nodes: [NodeDraft] = []
    var links: [LinkDraft] = []
    var secrets: SecretNames?
    var trustedProxies: [Located<CIDRBlock>] = []
    var policies = PoliciesDraft(value: .none, recordLocation: nil)
    /// `nil` when the section was written but failed to decode.
    var edge: EdgeOptions? = .standard
    var redis: RedisSettings? = .standalone
    /// `nil` when the section was written but failed to decode.
    var webhooks: [WebhookTarget]? = []
}

/// Decoded policies and where `record` was written, for the "no recorder" check.
struct PoliciesDraft {
    var value: StreamPolicies
    var recordLocation: SourceLocation?
    var streamPatterns: [Located<StreamPattern>] = []
    /// Whether every part decoded; the model is built only from valid policies.
    var isValid = true
}

struct RegionDraft {
    var name: Located<String>?
    var cidrs: [CIDRBlock] = []
    var coordinates: GeoCoordinates?
}

struct LatencyDraft {
    var regions: [Located<String>] = []
    var milliseconds: Double?
    var location: SourceLocation
}

struct NodeDraft {
    var id: Located<String>?
    var role: NodeRole?
    var region: Located<String>?
    var api: Located<EndpointAddress>?
    var mediaHost: String?
    var announceIP: String?
    var ports: Located<PortRange>?
    var workers: WorkerPlan?
    var capacity: NodeCapacity?
    /// Decoded listeners; `turnWritten` says where `turn:` was, even when it failed to decode.
    var turn: TURNListeners?
    /// Where each of `turn`'s keys (`udp`, `tcp`, `tls`, `relay_ports`) was written.
    var turnLocations: [String: SourceLocation] = [:]
    var turnWritten: SourceLocation?
    var storage: RecordingStorage?
    var storageWritten: SourceLocation?
    var location: SourceLocation
}

struct LinkDraft {
    var from: Located<String>
    var to: Located<String>
}

extension TopologyDraft {
    /// The finished model, or `nil` if any part failed to decode. Called only when the
    /// log is clean, so `nil` here means a decoding bug rather than a user error.
    func model() -> Topology? {
        guard let mesh, let secrets, policies.isValid, let edge, let redis, let webhooks else { return nil }
        var regionModels: [Region] = []
        for draft in regions {
            guard let name = draft.name else { return nil }
            regionModels.append(Region(name: name.value, cidrs: draft.cidrs, coordinates: draft.coordinates))
        }
        var latencyModels: [RegionLatency] = []
        for draft in latencies {
            guard draft.regions.count == 2, let milliseconds = draft.milliseconds else { return nil }
            latencyModels.append(
                RegionLatency(
                    first: draft.regions[0].value,
                    second: draft.regions[1].value,
                    milliseconds: milliseconds
                )
            )
        }
        var nodeModels: [TopologyNode] = []
        for draft in nodes {
            guard let id = draft.id, let role = draft.role, let region = draft.region, let api = draft.api,
                let mediaHost = draft.mediaHost, let announceIP = draft.announceIP, let ports = draft.ports,
                let workers = draft.workers
            else { return nil }
            nodeModels.append(
                TopologyNode(
                    id: id.value,
                    role: role,
                    region: region.value,
                    api: api.value,
                    mediaHost: mediaHost,
                    announceIP: announceIP,
                    ports: ports.value,
                    workers: workers,
                    capacity: draft.capacity,
                    turn: draft.turn,
                    storage: draft.storage
                )
            )
        }
        return Topology(
            mesh: mesh.value,
            regions: regionModels,
            latencies: latencyModels,
            nodes: nodeModels,
            links: links.map { LinkRule(from: $0.from.value, to: $0.to.value) },
            secrets: secrets,
            trustedProxies: trustedProxies.map(\.value),
            policies: policies.value,
            edge: edge,
            redis: redis == .standalone ? nil : redis,
            webhooks: webhooks
        )
    }
}
