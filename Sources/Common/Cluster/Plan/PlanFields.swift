/// A topology part flattened to named fields written as in YAML, each marked live or not,
/// so one generic comparison diffs nodes, regions, policies and the rest.
struct PlanField {
    let name: String
    let value: String?
    let isLive: Bool
}

/// The flattening of each part of a topology.
enum PlanFields {
    static func node(_ node: TopologyNode) -> [PlanField] {
        // Everything a node binds or registers at start needs a restart; limits are read live.
        var fields = [
            PlanField(name: "role", value: node.role.rawValue, isLive: false),
            PlanField(name: "region", value: node.region, isLive: false),
            PlanField(name: "api", value: node.api.description, isLive: false),
            PlanField(name: "media", value: node.mediaHost, isLive: false),
            PlanField(name: "announce", value: node.announceIP, isLive: false),
            PlanField(name: "ports", value: node.ports.description, isLive: false),
            PlanField(name: "workers", value: workers(node.workers), isLive: false),
            PlanField(name: "capacity.sessions", value: node.capacity?.sessions.map(String.init), isLive: true),
            PlanField(name: "capacity.egress_mbps", value: node.capacity?.egressMbps.map(String.init), isLive: true),
            PlanField(name: "capacity.viewers", value: node.capacity?.viewers.map(String.init), isLive: true),
            PlanField(name: "capacity.publishers", value: node.capacity?.publishers.map(String.init), isLive: true),
        ]
        let turn = node.turn
        fields += [
            PlanField(name: "turn.udp", value: turn?.udpPort.map(String.init), isLive: false),
            PlanField(name: "turn.tcp", value: turn?.tcpPort.map(String.init), isLive: false),
            PlanField(name: "turn.tls.port", value: turn?.tls.map { String($0.port) }, isLive: false),
            PlanField(name: "turn.tls.cert", value: turn?.tls?.certificatePath, isLive: false),
            PlanField(name: "turn.tls.key", value: turn?.tls?.keyPath, isLive: false),
            PlanField(name: "turn.relay_ports", value: turn?.relayPorts?.description, isLive: false),
            // A recorder opens files per recording, so new recordings use new storage settings.
            PlanField(name: "storage.path", value: node.storage?.path, isLive: true),
            PlanField(
                name: "storage.segment_seconds", value: node.storage.map { String($0.segmentSeconds) }, isLive: true),
            // The job runner picks whose jobs it claims when it starts.
            PlanField(name: "storage.shared", value: node.storage.map { String($0.shared) }, isLive: false),
        ]
        return fields
    }

    static func region(_ region: Region) -> [PlanField] {
        [
            PlanField(name: "cidrs", value: list(region.cidrs.map(\.description)), isLive: true),
            PlanField(
                name: "coordinates",
                value: region.coordinates.map { "lat \($0.latitude), lon \($0.longitude)" },
                isLive: true),
        ]
    }

    static func policies(_ policies: StreamPolicies) -> [PlanField] {
        var fields = [
            PlanField(name: "record", value: list(policies.record.map(\.text)), isLive: true),
            // The sweeper reads the topology each round: a new retention applies at its next sweep.
            PlanField(
                name: "record.retention",
                value: policies.recordRetention.flatMap { rules in
                    list(rules.map { "\($0.pattern.text)=\(RecordRetention.text($0.seconds))" })
                }, isLive: true),
            // Read when a policy recording starts: recordings running keep their layers.
            PlanField(
                name: "record.layers",
                value: policies.recordAllLayers.flatMap { patterns in list(patterns.map { "\($0.text)=all" }) },
                isLive: true),
            // Read when a recording stops.
            PlanField(
                name: "record.mp4",
                value: policies.recordMP4.flatMap { rules in
                    list(rules.map { "\($0.pattern.text)=\($0.mode.rawValue)" })
                }, isLive: true),
            PlanField(
                name: "max_viewers_per_stream", value: policies.maxViewersPerStream.map(String.init), isLive: true),
            PlanField(name: "max_publishers", value: policies.maxPublishers.map(String.init), isLive: true),
            // A node hands it to its stream registry when it adopts the topology.
            PlanField(
                name: "declared_stream_ttl_seconds", value: policies.declaredStreamTTLSeconds.map(String.init),
                isLive: true),
            // Read when the node starts its media engine.
            PlanField(
                name: "viewer_start_bitrate", value: policies.viewerStartBitrate.map(String.init), isLive: false),
            // A node reads it when it is asked to stop, from the topology it follows then.
            PlanField(
                name: "drain_deadline_seconds", value: policies.drainDeadlineSeconds.map(String.init), isLive: true),
        ]
        // Read when the node starts its HTTP server.
        let limits = policies.rateLimits
        fields += [
            PlanField(name: "rate_limits.whip", value: limits.map { "\($0.whip)" }, isLive: false),
            PlanField(name: "rate_limits.whep", value: limits.map { "\($0.whep)" }, isLive: false),
            PlanField(name: "rate_limits.patch", value: limits.map { "\($0.patch)" }, isLive: false),
            PlanField(name: "rate_limits.api", value: limits.map { "\($0.api)" }, isLive: false),
        ]
        for limit in policies.streamLimits {
            fields.append(
                PlanField(name: "streams[\(limit.pattern)].max_viewers", value: String(limit.maxViewers), isLive: true))
        }
        return fields
    }

    static func edge(_ options: EdgeOptions) -> [PlanField] {
        [PlanField(name: "unsubscribe_after_seconds", value: String(options.unsubscribeAfterSeconds), isLive: true)]
    }

    static func trustedProxies(_ blocks: [CIDRBlock]) -> [PlanField] {
        [PlanField(name: "trusted_proxies", value: list(blocks.map(\.description)), isLive: true)]
    }

    /// Nodes read the receivers when an event happens, so a change is live.
    static func webhooks(_ targets: [WebhookTarget]?) -> [PlanField] {
        (targets ?? []).map { target in
            PlanField(
                name: target.url,
                value: "events \(list(target.events.map(\.rawValue)) ?? "[]"), secret \(target.secretVariable)",
                isLive: true)
        }
    }

    /// Nodes read the variables once, at start.
    static func secrets(_ secrets: SecretNames) -> [PlanField] {
        [
            PlanField(name: "cluster", value: secrets.clusterSecretVariable, isLive: false),
            PlanField(name: "token", value: secrets.tokenSecretVariable, isLive: false),
            PlanField(name: "redis", value: secrets.redisURLVariable, isLive: false),
            PlanField(name: "turn", value: secrets.turnSecretVariable, isLive: false),
            PlanField(name: "postgres", value: secrets.postgresURLVariable, isLive: false),
        ]
    }

    /// `[a, b]`, or `nil` for an empty list so that an empty list reads as unset.
    static func list(_ items: [String]) -> String? {
        items.isEmpty ? nil : "[" + items.joined(separator: ", ") + "]"
    }

    static func workers(_ plan: WorkerPlan) -> String {
        let count = plan.count.map(String.init)
        switch plan.pinning {
        case .inOrder: return count ?? "one per core"
        case .cpus(let cpus): return "{cpus: [\(cpus.map(String.init).joined(separator: ", "))]}"
        case .numaNode(let node): return count.map { "{count: \($0), numa: \(node)}" } ?? "{numa: \(node)}"
        }
    }

    /// The fields that differ between two flattenings (same names in the same order), or,
    /// when one side is missing, every field the other side sets.
    static func differences(_ old: [PlanField]?, _ new: [PlanField]?) -> [FieldChange] {
        let names =
            (new ?? old ?? []).map(\.name)
            + (old ?? []).map(\.name).filter { name in
                !(new ?? []).contains { $0.name == name }
            }
        var changes: [FieldChange] = []
        for name in names {
            let before = old?.first { $0.name == name }
            let after = new?.first { $0.name == name }
            guard before?.value != after?.value else { continue }
            changes.append(
                FieldChange(
                    name: name, old: before?.value, new: after?.value,
                    isLive: (after ?? before)?.isLive ?? true))
        }
        return changes
    }
}
