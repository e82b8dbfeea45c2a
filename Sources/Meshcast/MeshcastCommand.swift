import ArgumentParser

/// The `meshcast` command: one executable for every node role and the operator's tools.
@main
struct MeshcastCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "meshcast",
            abstract: "A distributed edge/origin WebRTC media mesh.",
            discussion: """
                Nodes (`meshcast node`, `meshcast up`) arrive in the next release; this one \
                validates and shows topology files.
                """,
            // `--version` also names every linked C library, which proves each bridge links.
            version: LinkedLibraryVersions.report(),
            subcommands: [TopologyCommand.self, TokenCommand.self]
        )
    }
}
