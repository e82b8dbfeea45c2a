/// Cross-checks of the optional sections: which roles may have TURN and storage, ports that
/// TURN listeners would fight over, duplicate proxies and stream patterns, and policies that
/// need a role the topology lacks.
extension TopologyValidator {
    /// TURN only on origins and edges, storage on every recorder and nowhere else, and a
    /// TURN secret named when anything runs TURN.
    func checkRoleSections(_ nodes: [NodeDraft], secrets: SecretNames?) {
        var recorderPaths: [String: (id: String, line: Int)] = [:]
        for node in nodes {
            guard let role = node.role else { continue }
            let id = node.id?.value ?? "?"
            if let turn = node.turnWritten {
                if role == .relay || role == .recorder {
                    log.error(
                        "node '\(id)' is \(Self.article(role)) \(role.rawValue); only origins and edges run TURN, remove 'turn'",
                        at: turn)
                } else if let secrets, secrets.turnSecretVariable == nil {
                    log.error(
                        "node '\(id)' runs TURN but 'secrets' names no 'turn' variable for the TURN REST secret",
                        at: turn)
                }
            }
            switch (role, node.storageWritten) {
            case (.recorder, nil):
                log.error("recorder '\(id)' is missing 'storage' (where its recordings go)", at: node.location)
            case (.recorder, .some(let written)):
                // Shared storage: each recorder writes under its own folder of the path.
                guard let storage = node.storage, !storage.shared, let host = node.mediaHost else { break }
                let place = "\(host) \(storage.path)"
                if let owner = recorderPaths[place] {
                    log.error(
                        "storage path '\(storage.path)' is already used by recorder '\(owner.id)' (line \(owner.line)) on host \(host)",
                        at: written)
                } else {
                    recorderPaths[place] = (id, written.line)
                }
            case (_, .some(let written)):
                log.error(
                    "node '\(id)' is \(Self.article(role)) \(role.rawValue); only recorders have 'storage'", at: written
                )
            case (_, nil):
                break
            }
        }
    }

    /// `an` before the vowel-initial roles: "an edge", "an origin".
    static func article(_ role: NodeRole) -> String {
        role == .edge || role == .origin ? "an" : "a"
    }

    /// One port a node listens on, for the collision check.
    private struct PortClaim {
        enum Transport { case udp, tcp }
        let node: String
        let host: String
        let transport: Transport
        let ports: ClosedRange<UInt16>
        /// How the claim reads in a message: `TURN UDP port 3478`.
        let what: String
        let location: SourceLocation
        /// Media port ranges and API addresses are checked against each other by `checkNodes`.
        let isTURN: Bool
    }

    /// TURN listeners may not share a port with another listener on the same host and
    /// transport: other TURN listeners, media port ranges, relay port ranges, API ports.
    func checkListenerPorts(_ nodes: [NodeDraft]) {
        var claims: [PortClaim] = []
        for node in nodes {
            let id = node.id?.value ?? "?"
            if let api = node.api {
                claims.append(
                    PortClaim(
                        node: id, host: api.value.host, transport: .tcp, ports: api.value.port...api.value.port,
                        what: "API port \(api.value.port)", location: api.location, isTURN: false))
            }
            guard let host = node.mediaHost else { continue }
            if let ports = node.ports {
                claims.append(
                    PortClaim(
                        node: id, host: host, transport: .udp, ports: ports.value.first...ports.value.last,
                        what: "media ports \(ports.value)", location: ports.location, isTURN: false))
            }
            guard let turn = node.turn else { continue }
            func claim(_ key: String, _ transport: PortClaim.Transport, _ ports: ClosedRange<UInt16>, _ what: String) {
                claims.append(
                    PortClaim(
                        node: id, host: host, transport: transport, ports: ports, what: what,
                        location: node.turnLocations[key] ?? node.location, isTURN: true))
            }
            if let port = turn.udpPort { claim("udp", .udp, port...port, "TURN UDP port \(port)") }
            if let port = turn.tcpPort { claim("tcp", .tcp, port...port, "TURN TCP port \(port)") }
            if let tls = turn.tls { claim("tls", .tcp, tls.port...tls.port, "TURN TLS port \(tls.port)") }
            if let relay = turn.relayPorts {
                claim("relay_ports", .udp, relay.first...relay.last, "TURN relay ports \(relay)")
            }
        }
        for (index, claim) in claims.enumerated() {
            for earlier in claims[..<index]
            where (claim.isTURN || earlier.isTURN) && earlier.host == claim.host
                && earlier.transport == claim.transport && earlier.ports.overlaps(claim.ports)
            {
                let owner = earlier.node == claim.node ? "of the same node" : "of node '\(earlier.node)'"
                log.error(
                    "\(claim.what) of node '\(claim.node)': already used by \(earlier.what) \(owner) (line \(earlier.location.line)) on host \(claim.host)",
                    at: claim.location)
            }
        }
    }

    func checkTrustedProxies(_ blocks: [Located<CIDRBlock>]) {
        var seen: [CIDRBlock: SourceLocation] = [:]
        for block in blocks {
            if let first = seen[block.value] {
                log.error(
                    "trusted proxy \(block.value) is listed twice (first at line \(first.line))", at: block.location)
            } else {
                seen[block.value] = block.location
            }
        }
    }

    func checkPolicies(_ policies: PoliciesDraft, nodes: [NodeDraft]) {
        if let record = policies.recordLocation, !policies.value.record.isEmpty,
            !nodes.contains(where: { $0.role == .recorder })
        {
            log.error("'policies.record' names streams to record but the topology has no recorder node", at: record)
        }
        var seen: [String: SourceLocation] = [:]
        for pattern in policies.streamPatterns {
            _ = recordUnique(
                Located(value: pattern.value.text, location: pattern.location), in: &seen, kind: "stream limit for")
        }
    }
}
