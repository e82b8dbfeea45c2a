import ArgumentParser
import Foundation
import MeshCluster

/// `meshcast topology apply FILE [--out JSON]`: validates a topology and writes its canonical JSON.
struct TopologyApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate a topology file and write its canonical JSON (sorted keys), as the mesh stores it.",
        discussion: """
            Publishing the topology to Redis, where running nodes pick it up, comes with the \
            Redis client; for now the canonical JSON goes to standard output or to --out. \
            Exit status: 0 when the file is valid and written, 1 when it is not.
            """
    )

    @Argument(help: "The topology file to apply.")
    var file: String

    @Option(name: .long, help: "Write the JSON to this file instead of standard output.")
    var out: String?

    @Flag(name: .long, help: "Indent the JSON for reading; the canonical form is compact.")
    var pretty = false

    func run() throws {
        guard let topology = TopologyPlanCommand.load(file) else { throw ExitCode.failure }
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
        StandardError.write(
            "\(file): ok: \(TopologySummary.line(for: topology)); wrote \(out) (publishing to Redis comes with the Redis client)"
        )
    }
}
