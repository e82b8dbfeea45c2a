import ArgumentParser

/// `meshcast topology`: work with topology files.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Check and show topology files.",
        subcommands: [TopologyValidateCommand.self, TopologyShowCommand.self]
    )
}
