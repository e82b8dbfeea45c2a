import ArgumentParser
import Foundation
import MeshCascade
import MeshCluster

/// `meshcast topology apply FILE [--out JSON]`: validates a topology and publishes it to the
/// mesh's Redis, where running nodes pick it up; without Redis, writes its canonical JSON.
struct TopologyApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate a topology file and publish it to the mesh (or write its canonical JSON).",
        discussion: """
            When the Redis URL variable the topology names (MESHCAST_REDIS_URL by default) is \
            set, the canonical JSON is stored under the Redis key `topology`; running nodes poll \
            it every 2 s and follow it without dropping sessions (changes the plan marks \
            [restart] need a node restart). Otherwise the JSON (sorted keys) goes to standard \
            output or to --out. Exit status: 0 when the file is valid and published or written, \
            1 when it is not.
            """
    )

    @Argument(help: "The topology file to apply.")
    var file: String

    @Option(name: .long, help: "Write the JSON to this file instead of publishing it (or of standard output).")
    var out: String?

    @Flag(name: .long, help: "Indent the JSON for reading; the canonical form is compact.")
    var pretty = false

    func run() async throws {
        guard let topology = TopologyPlanCommand.load(file) else { throw ExitCode.failure }
        let client: RedisClient?
        do {
            client = try MeshRedis.client(for: topology, environment: ProcessInfo.processInfo.environment)
        } catch {
            StandardError.write("\(file): error: \(error)")
            throw ExitCode.failure
        }
        if let client, out == nil {
            try await publish(topology, to: client)
            return
        }
        await client?.shutdown()
        try write(topology)
    }

    private func publish(_ topology: Topology, to client: RedisClient) async throws {
        let running = try? await PublishedTopology.fetch(from: client)
        do {
            try await PublishedTopology.publish(topology, to: client)
            await MeshRedis.audit("topology.apply", target: "topology/\(topology.mesh)", result: "ok", to: client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            StandardError.write("\(file): error: cannot publish to Redis at \(client.endpoint): \(error)")
            throw ExitCode.failure
        }
        let plan = TopologyPlan(from: running, to: topology)
        print("\(file): ok: \(TopologySummary.line(for: topology)); published to \(client.endpoint) (key `topology`)")
        print(plan.summary)
        if !plan.nodesToRestart.isEmpty {
            print(
                "Running nodes follow within 2 s; restart \(plan.nodesToRestart.joined(separator: ", ")) for the rest.")
        }
    }

    private func write(_ topology: Topology) throws {
        var json = try TopologyJSON.encode(topology, pretty: pretty)
        json.append(UInt8(ascii: "\n"))
        guard let out else {
            FileHandle.standardOutput.write(json)
            return
        }
        do {
            try json.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            StandardError.write("\(out): error: cannot write: \(error.localizedDescription)")
            throw ExitCode.failure
        }
        StandardError.write("\(file): ok: \(TopologySummary.line(for: topology)); wrote \(out)")
    }
}
