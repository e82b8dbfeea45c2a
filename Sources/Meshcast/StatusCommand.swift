import ArgumentParser
import Foundation
import MeshControl

/// `meshcast status [--api HOST:PORT] [--watch] [--json]`: the mesh overview (`GET /v1/mesh`)
/// of any node, as tables in the terminal.
struct StatusCommand: ParsableCommand {
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

    @Flag(help: "Print the JSON answer as it came.")
    var json = false

    func run() throws {
        guard let token = ProcessInfo.processInfo.environment[Self.tokenVariable], !token.isEmpty else {
            throw ValidationError("set \(Self.tokenVariable) to an operator token (meshcast token --operator)")
        }
        let (host, port) = try Self.address(api)
        repeat {
            let text: String
            do {
                text = try fetch(host: host, port: port, token: token)
            } catch let failure as StatusFailure where watch {
                text = "meshcast status: \(failure)"
            }
            if watch { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(text)
            if watch { Thread.sleep(forTimeInterval: 2) }
        } while watch
    }

    private func fetch(host: String, port: UInt16, token: String) throws -> String {
        guard
            let answer = HTTPGet.fetch(
                host: host, port: port, path: "/v1/mesh", headers: ["Authorization": "Bearer \(token)"])
        else { throw StatusFailure(message: "no answer from \(api)") }
        let body = String(decoding: answer.body, as: UTF8.self)
        guard answer.status == 200 else {
            throw StatusFailure(message: "\(api) answered \(answer.status): \(body.prefix(300))")
        }
        if json { return body }
        do {
            return StatusReport.render(try JSONDecoder().decode(MeshOverview.self, from: Data(answer.body)))
        } catch {
            throw StatusFailure(message: "\(api) answered JSON that is not a mesh overview: \(error)")
        }
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

/// Why `meshcast status` printed no overview.
struct StatusFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
