/// Why a node cannot take new work now.
public enum Ineligibility: Sendable, Equatable, CustomStringConvertible {
    /// Its registry entry expired or was never written.
    case notAlive
    /// It is being drained.
    case draining
    /// Its sessions reached its capacity.
    case sessionsFull(sessions: Int, limit: Int)
    /// Its egress reached its capacity.
    case egressFull(mbps: Double, limit: Int)
    /// Its CPU is above the placement ceiling.
    case cpuBusy(cpu: Double, ceiling: Double)

    /// A short phrase for explanations.
    public var description: String {
        switch self {
        case .notAlive: "not alive"
        case .draining: "draining"
        case .sessionsFull(let sessions, let limit): "full (\(sessions)/\(limit) sessions)"
        case .egressFull(let mbps, let limit): "egress full (\(Self.number(mbps))/\(limit) Mbit/s)"
        case .cpuBusy(let cpu, let ceiling): "CPU busy (\(Self.percent(cpu)) ≥ \(Self.percent(ceiling)))"
        }
    }

    static func number(_ value: Double) -> String {
        // Loads come from reports and may be absurd; never trap converting them.
        guard value.isFinite, abs(value) < 1e15 else { return value.isFinite ? "\(value)" : "unknown" }
        return value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }

    static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite, abs(fraction) < 1e12 else { return "\(fraction * 100)%" }
        return "\(Int((fraction * 100).rounded()))%"
    }
}

/// Whether a node has headroom for one more session or link, and how loaded it is.
public struct CandidateCheck: Sendable {
    /// CPU fraction at or above which a node takes nothing new.
    public var cpuCeiling: Double

    /// Creates a check.
    public init(cpuCeiling: Double = 0.9) {
        self.cpuCeiling = cpuCeiling
    }

    /// `nil` when the node can take one more session; else why not.
    public func ineligibility(of node: TopologyNode, load: NodeLoad) -> Ineligibility? {
        if !load.alive { return .notAlive }
        if load.draining { return .draining }
        if let limit = node.capacity?.sessions, load.sessions >= limit {
            return .sessionsFull(sessions: load.sessions, limit: limit)
        }
        if let limit = node.capacity?.egressMbps, let egress = load.egressMbps, egress >= Double(limit) {
            return .egressFull(mbps: egress, limit: limit)
        }
        if let cpu = load.cpu, cpu >= cpuCeiling { return .cpuBusy(cpu: cpu, ceiling: cpuCeiling) }
        return nil
    }

    /// How full the node is, 0 (idle) to 1 (at capacity): the largest of the known fractions
    /// (sessions of capacity, egress of capacity, CPU). 0 when nothing is known.
    public func loadFraction(of node: TopologyNode, load: NodeLoad) -> Double {
        var fraction = 0.0
        if let limit = node.capacity?.sessions, limit > 0 {
            fraction = max(fraction, Double(load.sessions) / Double(limit))
        }
        if let limit = node.capacity?.egressMbps, limit > 0, let egress = load.egressMbps {
            fraction = max(fraction, egress / Double(limit))
        }
        if let cpu = load.cpu { fraction = max(fraction, cpu) }
        return fraction
    }
}
