import ArgumentParser

/// `meshcast topology`: work with topology files.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Check, show, plan and apply topology files.",
        subcommands: [
            TopologyValidateCommand.self, TopologyShowCommand.self, TopologyPlanCommand.self,
            TopologyApplyCommand.self,
        ]
    )
}
