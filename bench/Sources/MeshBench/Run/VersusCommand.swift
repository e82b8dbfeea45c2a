import ArgumentParser
import Foundation

/// `meshbench versus janus SCENARIO`: the same scenario against the Meshcast mesh and then
/// against Janus's streaming plugin on this machine, both reports written, and the figures
/// that matter side by side: CPU per forwarded packet, join time, latency.
struct VersusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versus",
        abstract: "Run a scenario against Meshcast, then against another server, and compare.")

    @Argument(help: "The other server (janus).")
    var server: TargetServer
    @OptionGroup var options: RunOptions

    func validate() throws {
        guard server == .janus else { throw ValidationError("versus compares Meshcast with another server: janus") }
    }

    func run() async throws {
        let loaded = try options.loadScenario()
        let clips = try options.loadClips()
        let meshcast: RunReport
        do {
            let mesh = try options.startMesh(for: loaded.scenario)
            defer { mesh.stop() }
            meshcast = try await options.run(
                loaded.scenario,
                on: try MeshcastTarget(mesh: mesh, scenario: loaded.scenario, workerIndex: options.workers),
                clips: clips)
        }
        try options.write(meshcast, name: loaded.scenario.name)
        let janus = try await options.run(
            loaded.scenario, on: try JanusTarget(workerIndex: options.workers), clips: clips)
        try options.write(janus, name: loaded.scenario.name)
        print(Self.table(meshcast: meshcast, janus: janus, scenario: loaded.scenario))
    }

    /// Meshcast, Janus, and Janus / Meshcast for the headline figures.
    static func table(meshcast: RunReport, janus: RunReport, scenario: Scenario) -> String {
        let node = CapacityCommand.nodeUnderTest(meshcast, scenario: scenario)
        let other = janus.nodes.first
        let rows: [(String, Double?, Double?)] = [
            ("CPU µs per forwarded packet", node?.cpuUsPerForwardedPacket, other?.cpuUsPerForwardedPacket),
            ("CPU %", node?.cpuPercent, other?.cpuPercent),
            ("RSS max MB", node?.rssMbMax, other?.rssMbMax),
            ("viewers connected", Double(meshcast.viewers.connected), Double(janus.viewers.connected)),
            ("join to first packet p50 ms", meshcast.joinMs.toFirstPacket.p50, janus.joinMs.toFirstPacket.p50),
            ("join to first packet p95 ms", meshcast.joinMs.toFirstPacket.p95, janus.joinMs.toFirstPacket.p95),
            ("join to key frame p50 ms", meshcast.joinMs.toFirstKeyframe.p50, janus.joinMs.toFirstKeyframe.p50),
            ("latency p50 ms", meshcast.latencyMs.p50, janus.latencyMs.p50),
            ("latency p99 ms", meshcast.latencyMs.p99, janus.latencyMs.p99),
            ("loss after retransmission %", meshcast.loss.percentAfter, janus.loss.percentAfter),
        ]
        var lines = ["\(scenario.name): meshcast versus janus (ratio = janus / meshcast)"]
        lines.append("figure".padded(to: 32) + "meshcast".padded(to: 12) + "janus".padded(to: 12) + "ratio")
        for (name, a, b) in rows {
            let ratio = a.flatMap { a in b.map { b in a > 0 ? FigureFormat.number(b / a, digits: 2) : "-" } } ?? "-"
            lines.append(
                name.padded(to: 32) + (a.map { FigureFormat.number($0, digits: 2) } ?? "-").padded(to: 12)
                    + (b.map { FigureFormat.number($0, digits: 2) } ?? "-").padded(to: 12) + ratio)
        }
        return lines.joined(separator: "\n")
    }
}
