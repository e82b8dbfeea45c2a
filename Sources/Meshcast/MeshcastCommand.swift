import ArgumentParser

/// The `meshcast` command: one executable for every node role and the operator's tools.
@main
struct MeshcastCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "meshcast",
            abstract: "A distributed edge/origin WebRTC media mesh.",
            discussion: """
                `meshcast up topology/local.yaml` runs a topology on this machine; `meshcast node` \
                runs one node; `meshcast token` mints and revokes tokens; `meshcast topology` validates \
                and shows topology files; `meshcast audit` prints the audit log.
                """,
            // `--version` also names every linked C library, which proves each bridge links.
            version: LinkedLibraryVersions.report(),
            subcommands: [
                NodeCommand.self, UpCommand.self, TokenCommand.self, TopologyCommand.self, RouteCommand.self,
                AuditCommand.self,
                StatusCommand.self,
            ]
        )
    }
}
