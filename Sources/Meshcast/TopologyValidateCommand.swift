import ArgumentParser
import MeshCluster

/// `meshcast topology validate FILE...`: reports every problem of every file, compiler style.
struct TopologyValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check topology files and report every error with its file, line and column."
    )

    @Argument(help: "The topology files to check.")
    var files: [String]

    func run() throws {
        var failed = false
        for file in files {
            do {
                let topology = try TopologyLoader.load(path: file)
                print("\(file): ok: \(TopologySummary.line(for: topology))")
            } catch {
                StandardError.write(error.description)
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }
}
