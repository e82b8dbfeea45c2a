import ArgumentParser
import Foundation
import MeshCluster

/// `meshcast route STREAM`: shows where placement would send a viewer (or a publisher) and the
/// path the stream would take, with the reasons, without touching any node.
struct RouteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Show the placement decision for a stream: region, edge (or origin), path and why.",
        discussion: """
            The live state (node load, draining, liveness; stream origins and carriers) comes from \
            --state FILE.json for now; without it every node is alive and idle and no stream has \
            carriers. Reading the live state from Redis comes later.

            State file: {"nodes": {"edge-a": {"sessions": 12, "egressMbps": 40, "cpu": 0.3, \
            "draining": false, "alive": true}}, "streams": {"cam": {"origin": "origin-1", \
            "carriers": ["origin-1", "relay-1"]}}, "unlistedNodesAlive": true}. Every key is optional \
            except a stream's origin.
            """
    )

    @Argument(help: "The stream id.")
    var stream: String

    @Option(help: "The topology file.")
    var topology: String

    @Option(help: "Place as if the client asked for this region (the `region` query parameter).")
    var region: String?

    @Option(help: "The client's IP address (the connection's peer).")
    var client: String?

    @Option(name: .customLong("forwarded-for"), help: "An X-Forwarded-For header the request carried.")
    var forwardedFor: String?

    @Option(
        name: .customLong("trusted-proxy"),
        help: "A CIDR whose X-Forwarded-For is believed (repeatable; adds to the topology's trusted_proxies).")
    var trustedProxies: [String] = []

    @Option(help: "A JSON file with the live state (see below).")
    var state: String?

    @Option(help: "The stream's origin when the state does not name one (default: the topology's first origin).")
    var origin: String?

    @Flag(help: "Place a publisher (WHIP) on an origin instead of a viewer on an edge.")
    var publish = false

    func validate() throws {
        if region == nil && client == nil { throw ValidationError("give --region or --client") }
    }

    func run() throws {
        let mesh: Topology
        do {
            mesh = try TopologyLoader.load(path: topology)
        } catch {
            StandardError.write(error.description)
            throw ExitCode.failure
        }
        var live = try loadState()
        var proxies = mesh.trustedProxies.compactMap(IPNetwork.init)
        for text in trustedProxies {
            guard let network = IPNetwork(text: text) else {
                throw ValidationError("--trusted-proxy '\(text)' is not a CIDR block")
            }
            proxies.append(network)
        }

        let decision = RegionResolver(topology: mesh, trustedProxies: proxies).resolve(
            ClientRequest(peerAddress: client, forwardedFor: forwardedFor, regionParameter: region))
        print("region: \(decision.region ?? "none")")
        printSteps(decision.steps)
        guard let clientRegion = decision.region else {
            StandardError.write("meshcast route: \(decision.reason ?? "no region")")
            throw ExitCode.failure
        }

        let index = PlacementIndex(topology: mesh)
        if publish {
            let choice = try place {
                try OriginSelector(index: index).select(stream: stream, clientRegion: clientRegion, state: live)
            }
            print("origin: \(choice.nodeID) (region \(choice.region), \(format(choice.regionMilliseconds)) ms away)")
            printSteps(choice.steps)
            return
        }
        let choice = try place {
            try EdgeSelector(index: index).select(stream: stream, clientRegion: clientRegion, state: live)
        }
        print("edge: \(choice.nodeID) (region \(choice.region), \(format(choice.regionMilliseconds)) ms away)")
        printSteps(choice.steps)

        if live.streams[stream] == nil {
            guard let assumed = origin ?? mesh.nodes(withRole: .origin).first?.id else {
                print("path: none (the topology has no origin)")
                return
            }
            print("note: the state does not hold '\(stream)'; assuming it is published at \(assumed)")
            live.streams[stream] = StreamPlacement(origin: assumed)
        }
        let path = try place { try PathPlanner(index: index).plan(stream: stream, to: choice.nodeID, state: live) }
        print(
            "path: \(path.hops.joined(separator: " -> ")) (\(format(path.milliseconds)) ms, \(path.newLinks) new link\(path.newLinks == 1 ? "" : "s"))"
        )
        printSteps(path.steps)
    }

    private func loadState() throws -> PlacementState {
        guard let state else { return .empty }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: state))
            return try JSONDecoder().decode(PlacementState.self, from: data)
        } catch {
            StandardError.write("meshcast route: cannot read state \(state): \(error)")
            throw ExitCode.failure
        }
    }

    private func place<T>(_ decide: () throws -> T) throws -> T {
        do {
            return try decide()
        } catch let failure as PlacementFailure {
            printSteps(failure.steps)
            StandardError.write("meshcast route: \(failure.reason)")
            throw ExitCode.failure
        }
    }

    private func printSteps(_ steps: [String]) {
        for step in steps { print("  - \(step)") }
    }

    private func format(_ milliseconds: Double) -> String {
        guard milliseconds.isFinite, abs(milliseconds) < 1e15 else { return "unknown" }
        return milliseconds == milliseconds.rounded()
            ? String(Int(milliseconds)) : String((milliseconds * 10).rounded() / 10)
    }
}
