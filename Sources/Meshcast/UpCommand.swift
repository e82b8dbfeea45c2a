import ArgumentParser
import Foundation
import MeshCluster
import MeshCrypto

/// `meshcast up FILE`: runs a topology's nodes on this machine until Ctrl-C.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the nodes of a topology on this machine, in the foreground.",
        discussion: """
            Starts each node that can run on its own as a separate `meshcast node` process, waits \
            until each answers /ready, prints the pages and the WHIP/WHEP URLs to open, and stops \
            them all on Ctrl-C. Relays, edges and recorders need the cascade (next release) and \
            are listed but not started. Without MESHCAST_SECRET (or the variable the topology \
            names) a random secret is made for this run.
            """)

    @Argument(help: "The topology file.")
    var file: String

    @Option(help: "The stream the printed page URLs and tokens are for.")
    var stream = "demo"

    func run() throws {
        let topology: Topology
        do {
            topology = try TopologyLoader.load(path: file)
        } catch {
            StandardError.write(error.description)
            throw ExitCode.failure
        }
        var environment = ProcessInfo.processInfo.environment
        let variable = topology.secrets.tokenSecretVariable
        if (environment[variable] ?? "").isEmpty {
            environment[variable] = Self.randomSecret()
            print("\(variable) is not set: using a random secret for this run.")
        }
        let runnable = topology.nodes.filter { $0.role == .origin }
        for node in topology.nodes where node.role != .origin {
            print("skipping \(node.id) (\(node.role.rawValue)): it needs the cascade, which comes in the next release")
        }
        guard !runnable.isEmpty else {
            StandardError.write("\(file) has no origin node to run")
            throw ExitCode.failure
        }
        let supervisor = NodeSupervisor(executable: Self.executablePath, topologyPath: file, environment: environment)
        do {
            for node in runnable { try supervisor.start(node) }
            for node in runnable { try supervisor.waitUntilReady(node, timeoutSeconds: 60) }
        } catch {
            StandardError.write("\(error)")
            supervisor.stopAll()
            throw ExitCode.failure
        }
        printURLs(for: runnable, secret: Array((environment[variable] ?? "").utf8))
        let status = supervisor.waitForSignalOrExit()
        if status != 0 { throw ExitCode(status) }
    }

    private func printURLs(for nodes: [TopologyNode], secret: [UInt8]) {
        let day = Duration.seconds(86_400)
        let publish = (try? StreamToken.mint(stream: stream, action: .publish, ttl: day, secret: secret)) ?? ""
        let view = (try? StreamToken.mint(stream: stream, action: .view, ttl: day, secret: secret)) ?? ""
        print("")
        for node in nodes {
            let base = "http://\(node.api)"
            print("\(node.id) (\(node.role.rawValue)) is ready:")
            print("  pages    \(base)/")
            print("  publish  \(base)/publish?stream=\(stream)&token=\(publish)")
            print("  watch    \(base)/watch?stream=\(stream)&token=\(view)")
            print("  WHIP     \(base)/whip/\(stream)")
            print("  WHEP     \(base)/whep/\(stream)")
            print("  health   \(base)/health   metrics \(base)/metrics")
        }
        print("\nTokens for other streams: meshcast token --stream NAME --publish|--view")
        print("Press Ctrl-C to stop.")
    }

    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
    }
}
