import ArgumentParser
import Foundation
import MeshCascade
import MeshCluster
import MeshCrypto

/// `meshcast up FILE`: runs a topology's nodes on this machine until Ctrl-C.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the nodes of a topology on this machine, in the foreground.",
        discussion: """
            Starts each origin, relay, edge and recorder as a separate `meshcast node` process \
            (origins first, then relays, then edges and recorders, each waiting until the ones \
            before answer /ready), prints the pages and the WHIP/WHEP URLs to open, and stops them \
            all on Ctrl-C or SIGTERM. Without the Redis URL variable \
            (MESHCAST_REDIS_URL by default) a local redis-server is started for the run and \
            stopped last; likewise, for a topology with a recorder and no catalog URL variable \
            (secrets.postgres, MESHCAST_POSTGRES_URL by default), a local PostgreSQL; without the token, cluster or \
            TURN secret a random one is made for the run. \
            The topology is applied to Redis at start, so `meshcast topology plan` compares with it.

            By default, when one node exits or dies on its own, `up` stops all the others and \
            exits non-zero, naming the node: a demo mesh with a hole in it misleads. With \
            --keep-going the other nodes keep running (kill one to watch viewers fail over), \
            and `up` still exits non-zero at the end. If `up` itself is killed, even with \
            SIGKILL, its nodes and its redis-server get SIGTERM.
            """)

    @Argument(help: "The topology file.")
    var file: String

    @Option(help: "The stream the printed page URLs and tokens are for.")
    var stream = "demo"

    @Flag(help: "Keep the other nodes running when one exits or dies (to show failover).")
    var keepGoing = false

    func run() throws {
        // First, so that Ctrl-C or SIGTERM while nodes start still stops what has started.
        StopSignals.install()
        let topology: Topology
        do {
            topology = try TopologyLoader.load(path: file)
        } catch {
            StandardError.write(error.description)
            throw ExitCode.failure
        }
        var environment = ProcessInfo.processInfo.environment
        let secretVariables = [
            topology.secrets.tokenSecretVariable, topology.secrets.clusterSecretVariable,
            topology.secrets.turnSecretVariable,
        ].compactMap { $0 }
        for variable in secretVariables where (environment[variable] ?? "").isEmpty {
            environment[variable] = Self.randomSecret()
            print("\(variable) is not set: using a random secret for this run.")
        }
        let order = NodeRoles.upstreamFirst.filter(\.isBuilt).map(\.role)
        for node in topology.nodes where !order.contains(node.role) {
            print("skipping \(node.id) (\(node.role.rawValue)): the \(node.role.rawValue) role is not built yet")
        }
        guard topology.nodes.contains(where: { NodeRoles.policy(for: $0.role).position == .root }) else {
            StandardError.write("\(file) has no origin node to run")
            throw ExitCode.failure
        }
        let lifeline: ParentLifeline
        let redis: (any LocalRedis)?
        let postgres: LocalPostgresServer?
        do {
            lifeline = try ParentLifeline()
            redis = try startRedisIfNeeded(topology, environment: &environment, lifeline: lifeline)
            postgres = try startPostgresIfNeeded(topology, environment: &environment, lifeline: lifeline, redis: redis)
        } catch {
            StandardError.write("meshcast up: \(error)")
            throw ExitCode.failure
        }
        defer {
            postgres?.stop()
            redis?.stop()
            lifeline.release()
        }
        let supervisor = NodeSupervisor(
            executable: Self.executablePath, topologyPath: file, environment: environment, keepGoing: keepGoing,
            lifeline: lifeline)
        var running: [TopologyNode] = []
        do {
            for role in order {
                let nodes = topology.nodes.filter { $0.role == role }
                for node in nodes { try supervisor.start(node) }
                for node in nodes { try supervisor.waitUntilReady(node, timeoutSeconds: 60) }
                running += nodes
            }
        } catch is StopRequested {
            print("\nstop signal while the nodes were starting: stopping them")
            let clean = supervisor.stopAll()
            stopPostgres(postgres)
            stopRedis(redis)
            if !clean { throw ExitCode.failure }
            return
        } catch {
            StandardError.write("\(error)")
            supervisor.stopAll()
            stopPostgres(postgres)
            stopRedis(redis)
            throw ExitCode.failure
        }
        printURLs(for: running, secret: Array((environment[topology.secrets.tokenSecretVariable] ?? "").utf8))
        let status = supervisor.superviseUntilStopped()
        stopPostgres(postgres)
        stopRedis(redis)
        if status != 0 { throw ExitCode(status) }
    }

    private func stopRedis(_ redis: (any LocalRedis)?) {
        guard let redis else { return }
        redis.stop()
        print(redis.stopped)
    }

    private func stopPostgres(_ postgres: LocalPostgresServer?) {
        guard let postgres else { return }
        postgres.stop()
        print("postgres on port \(postgres.port) stopped")
    }

    /// Starts a local PostgreSQL for the recordings catalog when the topology has a recorder
    /// and its catalog URL variable is unset, and sets the variable for the nodes.
    private func startPostgresIfNeeded(
        _ topology: Topology, environment: inout [String: String], lifeline: ParentLifeline, redis: (any LocalRedis)?
    ) throws -> LocalPostgresServer? {
        let variable = topology.secrets.catalogURLVariable
        guard topology.nodes.contains(where: { $0.role == .recorder }), (environment[variable] ?? "").isEmpty else {
            return nil
        }
        do {
            let started = try LocalPostgresServer(lifeline: lifeline)
            environment[variable] = started.url
            print("\(variable) is not set: started postgres (pid \(started.pid)) at \(started.url) for this run.")
            return started
        } catch {
            redis?.stop()
            throw error
        }
    }

    /// Starts a local redis-server when the topology's Redis URL variable is unset (and sets it
    /// for the nodes), a local Sentinel set when the topology names sentinels on loopback that
    /// do not answer, or a local Redis Cluster when it names six Cluster nodes there, then
    /// applies the topology to whichever Redis the mesh uses.
    private func startRedisIfNeeded(
        _ topology: Topology, environment: inout [String: String], lifeline: ParentLifeline
    ) throws -> (any LocalRedis)? {
        let variable = topology.secrets.redisURLVariable
        var server: (any LocalRedis)?
        if let settings = topology.redis, settings.mode == .sentinel {
            if !LocalSentinelRedis.anySentinelAnswers(settings) {
                let started = try LocalSentinelRedis(settings: settings, lifeline: lifeline)
                print("started \(started.started) for this run.")
                server = started
            }
        } else if let settings = topology.redis, settings.mode == .cluster {
            if !LocalClusterRedis.anyNodeAnswers(settings) {
                let started = try LocalClusterRedis(settings: settings, lifeline: lifeline)
                print("started \(started.started) for this run.")
                server = started
            }
        } else if (environment[variable] ?? "").isEmpty {
            let started = try LocalRedisServer(lifeline: lifeline)
            environment[variable] = started.url
            print("\(variable) is not set: started redis-server (pid \(started.pid)) at \(started.url) for this run.")
            server = started
        }
        do {
            let target = try RedisTarget(settings: topology.redis, url: environment[variable], environment: environment)
            let connection = try target.openConnection()
            let json = try TopologyJSON.encode(topology)
            _ = try connection.command(bytes: [Array("SET".utf8), Array(PublishedTopology.key.utf8), Array(json)])
            print("applied \(file) to \(connection.endpoint) (key `topology`)")
        } catch {
            server?.stop()
            throw SupervisorError("cannot apply the topology to Redis (\(target(topology, variable))): \(error)")
        }
        return server
    }

    private func target(_ topology: Topology, _ variable: String) -> String {
        switch topology.redis?.mode ?? .standalone {
        case .sentinel: "the topology's sentinels"
        case .cluster: "the topology's Cluster nodes"
        case .standalone: variable
        }
    }

    private func printURLs(for nodes: [TopologyNode], secret: [UInt8]) {
        let day = Duration.seconds(86_400)
        let publish = (try? StreamToken.mint(stream: stream, action: .publish, ttl: day, secret: secret)) ?? ""
        let view = (try? StreamToken.mint(stream: stream, action: .view, ttl: day, secret: secret)) ?? ""
        print("")
        for node in nodes {
            let base = "http://\(node.api)"
            let policy = NodeRoles.policy(for: node.role)
            print("\(node.id) (\(node.role.rawValue)) is ready:")
            if policy.acceptsPublishers {
                print("  pages    \(base)/")
                print("  publish  \(base)/publish?stream=\(stream)&token=\(publish)")
                print("  WHIP     \(base)/whip/\(stream)")
            }
            if policy.servesViewers { print("  watch    \(base)/watch?stream=\(stream)&token=\(view)") }
            if node.role == .recorder {
                print("  records  \(base)/v1/recordings   (operator token: meshcast token --operator)")
            }
            print("  WHEP     \(base)/whep/\(stream)")
            for turn in NodeTURN.urls(of: node) {
                print("  TURN     \(turn)   (credentials: each WHIP/WHEP answer's Link header)")
            }
            print("  health   \(base)/health   metrics \(base)/metrics")
        }
        if let first = nodes.first {
            // The operator API (and /v1/mesh behind the dashboard) takes revocable tokens only.
            let now = Int64(Date().timeIntervalSince1970)
            let claims = StreamToken(
                stream: StreamToken.anyStream, action: .operator, expiresAt: now + 12 * 3600, issuedAt: now,
                subject: "meshcast-up", tokenID: StreamToken.newTokenID())
            let operatorToken = (try? claims.signed(secret: secret)) ?? ""
            print("\nDashboard: http://\(first.api)/dashboard?token=\(operatorToken)")
        }
        print("WHEP on any node redirects the viewer to the right edge (307).")
        print("Tokens for other streams: meshcast token --stream NAME --publish|--view")
        print("Press Ctrl-C to stop.")
        // Into a log file or a pipe stdout is block-buffered: the URLs must show now, not at exit.
        fflush(nil)
    }

    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
    }
}
