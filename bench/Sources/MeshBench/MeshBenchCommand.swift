import ArgumentParser

/// The `meshbench` command: load generators for a Meshcast node (bench/README.md).
@main
struct MeshBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshbench",
        abstract: "Load generators for a Meshcast node.",
        subcommands: [
            RunCommand.self, CapacityCommand.self, ViewersCommand.self, PublishCommand.self, ValidateCommand.self,
            CompareCommand.self, VersusCommand.self, JanusCheckCommand.self, LimitsCommand.self,
        ]
    )
}
