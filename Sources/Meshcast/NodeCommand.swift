import ArgumentParser

/// `meshcast node`: runs one node (`meshcast node --topology F --id N`) or changes how the
/// mesh treats one (`meshcast node drain ID`).
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of a topology, or drain one.",
        subcommands: [NodeRunCommand.self, NodeDrainCommand.self],
        defaultSubcommand: NodeRunCommand.self)
}
