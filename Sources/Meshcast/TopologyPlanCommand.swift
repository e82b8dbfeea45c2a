import ArgumentParser
import MeshCluster

/// `meshcast topology plan FILE [--against RUNNING]`: what applying FILE would change.
struct TopologyPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what applying a topology file would change, and which changes need node restarts.",
        discussion: """
            Without --against the plan compares FILE with an empty mesh: the running topology \
            lives in Redis, where `meshcast topology apply` will publish it once the Redis client \
            is in. Exit status: 0 when both files are valid, 1 when one is not.
            """
    )

    @Argument(help: "The topology file to apply.")
    var file: String

    @Option(name: .long, help: "A topology file standing for the running mesh.")
    var against: String?

    func run() throws {
        guard let target = Self.load(file) else { throw ExitCode.failure }
        var running: Topology?
        if let against {
            guard let loaded = Self.load(against) else { throw ExitCode.failure }
            running = loaded
            print("Plan for mesh '\(target.mesh)': \(file) against \(against)\n")
        } else {
            StandardError.write(
                "note: comparing against the running mesh needs Redis (`apply` will store the live topology there); "
                    + "comparing against an empty mesh instead. Use --against FILE to compare with another file.")
            print("Plan for mesh '\(target.mesh)': \(file) against an empty mesh\n")
        }
        print(TopologyPlan(from: running, to: target).rendered(), terminator: "")
    }

    /// The topology, or `nil` after printing its diagnostics.
    static func load(_ path: String) -> Topology? {
        do {
            return try TopologyLoader.load(path: path)
        } catch {
            StandardError.write(error.description)
            return nil
        }
    }
}
