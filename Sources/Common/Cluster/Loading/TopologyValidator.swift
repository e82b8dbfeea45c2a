/// The checks that need more than one value: unique names, references between sections,
/// and resources two nodes cannot share. Runs on whatever decoded, so one bad node does not
/// hide the problems of the others.
struct TopologyValidator {
    let log: DiagnosticLog

    func validate(_ draft: TopologyDraft) {
        let regionNames = checkRegions(draft.regions)
        checkLatencies(draft.latencies, regionNames: regionNames)
        let nodeIDs = checkNodes(draft.nodes, regionNames: regionNames)
        checkLinks(draft.links, nodeIDs: nodeIDs)
        checkRoleSections(draft.nodes, secrets: draft.secrets)
        checkListenerPorts(draft.nodes)
        checkTrustedProxies(draft.trustedProxies)
        checkPolicies(draft.policies, nodes: draft.nodes)
    }

    /// Reports a name already seen; returns whether it was new.
    func recordUnique(
        _ name: Located<String>,
        in seen: inout [String: SourceLocation],
        kind: String
    ) -> Bool {
        if let first = seen[name.value] {
            log.error("duplicate \(kind) '\(name.value)' (first defined at line \(first.line))", at: name.location)
            return false
        }
        seen[name.value] = name.location
        return true
    }

    /// `unknown region 'x' (known: a, b)`, with a suggestion when one is close.
    private func checkKnownRegion(_ name: Located<String>, regionNames: [String]) {
        guard !regionNames.contains(name.value) else { return }
        let hint = NearestName.hint(for: name.value, among: regionNames)
        let known = regionNames.isEmpty ? "no regions are defined" : "known: " + regionNames.joined(separator: ", ")
        log.error("unknown region '\(name.value)' (\(known))\(hint)", at: name.location)
    }

    /// Returns the region names in file order, each once.
    private func checkRegions(_ regions: [RegionDraft]) -> [String] {
        var seen: [String: SourceLocation] = [:]
        var names: [String] = []
        var cidrOwners: [CIDRBlock: String] = [:]
        for region in regions {
            guard let name = region.name else { continue }
            if recordUnique(name, in: &seen, kind: "region") {
                names.append(name.value)
            }
            for block in region.cidrs {
                if let owner = cidrOwners[block], owner != name.value {
                    log.error(
                        "CIDR \(block) of region '\(name.value)' is already claimed by region '\(owner)'",
                        at: name.location)
                }
                cidrOwners[block] = cidrOwners[block] ?? name.value
            }
        }
        return names
    }

    private func checkLatencies(_ latencies: [LatencyDraft], regionNames: [String]) {
        var seenPairs: [Set<String>: SourceLocation] = [:]
        for entry in latencies where entry.regions.count == 2 {
            let first = entry.regions[0]
            let second = entry.regions[1]
            checkKnownRegion(first, regionNames: regionNames)
            checkKnownRegion(second, regionNames: regionNames)
            if first.value == second.value {
                log.error("latency entry pairs region '\(first.value)' with itself", at: second.location)
                continue
            }
            let pair: Set = [first.value, second.value]
            if let earlier = seenPairs[pair] {
                log.error(
                    "duplicate latency entry for \(first.value) and \(second.value) (first given at line \(earlier.line))",
                    at: first.location
                )
            } else {
                seenPairs[pair] = first.location
            }
        }
    }

    /// Returns every node id that decoded, so links to a node with other problems are not
    /// also reported as links to an unknown node.
    private func checkNodes(_ nodes: [NodeDraft], regionNames: [String]) -> [String] {
        var seenIDs: [String: SourceLocation] = [:]
        var ids: [String] = []
        var apiOwners: [EndpointAddress: (id: String, line: Int)] = [:]
        var portOwners: [String: [(id: String, range: PortRange, line: Int)]] = [:]
        for node in nodes {
            let id = node.id?.value ?? "?"
            if let nodeID = node.id, recordUnique(nodeID, in: &seenIDs, kind: "node id") {
                ids.append(nodeID.value)
            }
            if let region = node.region {
                checkKnownRegion(region, regionNames: regionNames)
            }
            if let api = node.api {
                if let owner = apiOwners[api.value] {
                    log.error(
                        "API address \(api.value) is already used by node '\(owner.id)' (line \(owner.line))",
                        at: api.location
                    )
                } else {
                    apiOwners[api.value] = (id, api.location.line)
                }
            }
            if let ports = node.ports, let host = node.mediaHost {
                for owner in portOwners[host, default: []] where owner.range.overlaps(ports.value) {
                    log.error(
                        "port range \(ports.value) overlaps \(owner.range) of node '\(owner.id)' (line \(owner.line)) on media host \(host)",
                        at: ports.location
                    )
                }
                portOwners[host, default: []].append((id, ports.value, ports.location.line))
            }
        }
        return ids
    }

    private func checkLinks(_ links: [LinkDraft], nodeIDs: [String]) {
        var seen: [LinkRule: SourceLocation] = [:]
        // `to: [a, b]` shares one `from`; report an unknown `from` once, not once per target.
        var reportedUnknown: Set<SourceLocation> = []
        for link in links {
            var endpointsKnown = true
            for end in [link.from, link.to] where !nodeIDs.contains(end.value) {
                endpointsKnown = false
                guard reportedUnknown.insert(end.location).inserted else { continue }
                let hint = NearestName.hint(for: end.value, among: nodeIDs)
                log.error("unknown node '\(end.value)' in link\(hint)", at: end.location)
            }
            if link.from.value == link.to.value {
                log.error("link from node '\(link.from.value)' to itself", at: link.to.location)
                continue
            }
            guard endpointsKnown else { continue }
            let rule = LinkRule(from: link.from.value, to: link.to.value)
            if let first = seen[rule] {
                log.error(
                    "duplicate link \(rule.from) -> \(rule.to) (first given at line \(first.line))",
                    at: link.to.location
                )
            } else {
                seen[rule] = link.to.location
            }
        }
    }
}
