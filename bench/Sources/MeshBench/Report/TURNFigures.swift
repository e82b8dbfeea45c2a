/// What viewers joining through TURN cost (issue 13's meshbench figures): the node's CPU per
/// forwarded packet with the same viewers through TURN and direct, on the same mesh one after
/// the other, and their ratio (target ≤ ``targetRatio``); with `versus coturn`, the same TURN
/// viewers through Debian's coturn in front of the same node, node + coturn CPU against the
/// node's alone with its integrated TURN.
struct TURNFigures: Codable, Sendable, Equatable {
    /// The ratio issue 13 aims under.
    static let defaultTargetRatio = 1.3

    /// `udp` or `tcp`: the viewers' transport to the TURN server.
    var transport: String
    /// Viewers connected through TURN, and in the direct run (`Turn`, not `TURN`: the JSON
    /// coder's snake_case round trip would not find `viewersThroughTURN` again).
    var viewersThroughTurn: Int
    var viewersDirect: Int?
    /// CPU µs of the nodes under test per packet they forwarded, through TURN and direct.
    var turnCpuUsPerForwardedPacket: Double?
    var directCpuUsPerForwardedPacket: Double?
    /// Through TURN / direct.
    var ratio: Double?
    var targetRatio: Double = TURNFigures.defaultTargetRatio
    /// The same TURN viewers through coturn, when `versus coturn` ran.
    var coturn: CoturnFigures?

    /// The figures of `turn` (viewers through TURN) against `direct` (the same viewers direct).
    init(transport: String, turn: RunReport, direct: RunReport?) {
        self.transport = transport
        viewersThroughTurn = turn.viewers.connected
        viewersDirect = direct?.viewers.connected
        turnCpuUsPerForwardedPacket = Self.cpuUsPerForwardedPacket(turn.nodes)
        directCpuUsPerForwardedPacket = direct.flatMap { Self.cpuUsPerForwardedPacket($0.nodes) }
        if let through = turnCpuUsPerForwardedPacket, let direct = directCpuUsPerForwardedPacket, direct > 0 {
            ratio = through / direct
        }
    }

    /// The id ``ScenarioRun`` samples meshbench itself under: not part of the server's cost.
    static let loadGeneratorID = "meshbench"

    /// The CPU of every process serving (nodes, and an external TURN server sampled beside
    /// them) over every node's forwarded packets; `nil` when none was counted.
    static func cpuUsPerForwardedPacket(_ nodes: [NodeFigures]) -> Double? {
        let forwarded = nodes.compactMap(\.packetsForwarded).reduce(0, +)
        guard forwarded > 0 else { return nil }
        return serverCpuSeconds(nodes) * 1_000_000 / Double(forwarded)
    }

    /// CPU seconds of every sampled process but meshbench itself.
    static func serverCpuSeconds(_ nodes: [NodeFigures]) -> Double {
        nodes.filter { $0.id != loadGeneratorID }.map(\.cpuSeconds).reduce(0, +)
    }

    /// One line for the text summary.
    var summary: String {
        let number = { (value: Double?) in value.map { FigureFormat.number($0) } ?? "-" }
        var line =
            "\(transport), \(viewersThroughTurn) viewers: \(number(turnCpuUsPerForwardedPacket)) µs CPU per forwarded packet"
            + " through TURN, \(number(directCpuUsPerForwardedPacket)) direct"
        if let ratio { line += ": ×\(FigureFormat.number(ratio)) (target ≤ \(FigureFormat.number(targetRatio)))" }
        if let coturn { line += "; " + coturn.summary }
        return line
    }
}

/// The same TURN viewers through coturn in front of the same node (`meshbench versus coturn`):
/// CPU seconds from `/proc` for both processes over the same run.
struct CoturnFigures: Codable, Sendable, Equatable {
    /// coturn's `turnserver` version as it reports it.
    var version: String
    var viewers: Int
    var coturnCpuSeconds: Double
    var nodeCpuSeconds: Double
    /// Node + coturn, and the node alone with its integrated TURN (the TURN run).
    var totalCpuSeconds: Double
    var integratedCpuSeconds: Double
    /// Packets the node forwarded in the coturn run, and CPU µs per forwarded packet both ways.
    var packetsForwarded: Int?
    var totalCpuUsPerForwardedPacket: Double?
    var integratedCpuUsPerForwardedPacket: Double?

    /// coturn's run (`throughCoturn`, coturn sampled as ``coturnID``) against the integrated one.
    init(version: String, throughCoturn: RunReport, integrated: RunReport) {
        self.version = version
        viewers = throughCoturn.viewers.connected
        let serving = throughCoturn.nodes.filter { $0.id != TURNFigures.loadGeneratorID }
        coturnCpuSeconds = serving.filter { $0.id == Self.coturnID }.map(\.cpuSeconds).reduce(0, +)
        totalCpuSeconds = TURNFigures.serverCpuSeconds(throughCoturn.nodes)
        nodeCpuSeconds = totalCpuSeconds - coturnCpuSeconds
        integratedCpuSeconds = TURNFigures.serverCpuSeconds(integrated.nodes)
        let forwarded = serving.compactMap(\.packetsForwarded).reduce(0, +)
        packetsForwarded = forwarded > 0 ? forwarded : nil
        totalCpuUsPerForwardedPacket = TURNFigures.cpuUsPerForwardedPacket(throughCoturn.nodes)
        integratedCpuUsPerForwardedPacket = TURNFigures.cpuUsPerForwardedPacket(integrated.nodes)
    }

    /// The id coturn's process is sampled under.
    static let coturnID = "coturn"

    var summary: String {
        let number = { (value: Double?) in value.map { FigureFormat.number($0) } ?? "-" }
        return
            "coturn \(version): node \(number(nodeCpuSeconds)) s + coturn \(number(coturnCpuSeconds)) s = "
            + "\(number(totalCpuSeconds)) s (\(number(totalCpuUsPerForwardedPacket)) µs/packet) against "
            + "\(number(integratedCpuSeconds)) s integrated (\(number(integratedCpuUsPerForwardedPacket)) µs/packet)"
    }
}
