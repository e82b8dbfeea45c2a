import ArgumentParser
import Foundation
import MeshControl

/// `meshcast status [--api HOST:PORT] [--watch] [--json]`: the mesh overview (`GET /v1/mesh`)
/// of any node, as tables in the terminal.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the whole mesh: nodes with state and load, streams with the nodes that carry them.",
        discussion: """
            Asks one node's GET /v1/mesh (any node answers for the whole mesh, from Redis) with the \
            operator token in \(tokenVariable) (`meshcast token --operator`). --watch redraws \
            every 2 seconds until Ctrl-C.
            """)

    /// The variable holding the operator token.
    static let tokenVariable = "MESHCAST_OPERATOR_TOKEN"

    @Option(help: "A node's API address (host:port), as in the topology.")
    var api = "127.0.0.1:8080"

    @Flag(help: "Redraw every 2 seconds.")
    var watch = false

    @Flag(help: "Print the overview as JSON.")
    var json = false

    func run() async throws {
        guard let token = ProcessInfo.processInfo.environment[Self.tokenVariable], !token.isEmpty else {
            throw ValidationError("set \(Self.tokenVariable) to an operator token (meshcast token --operator)")
        }
        let (host, port) = try Self.address(api)
        repeat {
            let text: String
            do {
                let overview = try await MeshOverviewClient.fetch(host: host, port: Int(port), token: token)
                text = json ? try Self.json(overview) : StatusReport.render(overview)
            } catch let failure as MeshOverviewClient.Failure {
                guard watch else {
                    StandardError.write("meshcast status: \(failure)")
                    throw ExitCode.failure
                }
                text = "meshcast status: \(failure)"
            }
            if watch { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(text)
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }

    /// The overview as indented JSON with sorted keys.
    static func json(_ overview: MeshOverview) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(overview), as: UTF8.self)
    }

    static func address(_ text: String) throws -> (String, UInt16) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[close...].dropFirst(2)
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ValidationError("--api must be host:port") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 else {
            throw ValidationError("--api must be host:port, not \(text)")
        }
        return (String(host), port)
    }
}
