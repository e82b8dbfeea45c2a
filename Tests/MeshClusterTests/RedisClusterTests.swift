import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// `RedisClient` with a Cluster target against a real six-node Redis Cluster on loopback (Redis
/// Cluster specification: CRC16 slots and hash tags, `CLUSTER SLOTS`, `MOVED`, `ASK`). One
/// cluster for the suite; the failover test has its own (`RedisClusterFailoverTests`).
@Suite("Redis Cluster", .serialized, .timeLimit(.minutes(2)))
struct RedisClusterTests {
    static let shared = Result { try ClusterTestSet(stoppedAtExit: true) }
    static let quick = RedisClient.Configuration(
        backoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .milliseconds(500)))

    static func connection(_ port: Int) throws -> RedisConnection {
        try RedisConnection(endpoint: RedisEndpoint(address: .tcp(host: "127.0.0.1", port: port)))
    }

    static func client() async throws -> (LocalRedisCluster, RedisClient) {
        let cluster = try shared.get().cluster
        let client = RedisClient(target: cluster.target, configuration: quick)
        await client.waitUntil(available: true)
        return (cluster, client)
    }

    @Test("our CRC16 slots equal the cluster's CLUSTER KEYSLOT")
    func slotsMatchRedis() async throws {
        let cluster = try Self.shared.get().cluster
        let redis = try Self.connection(cluster.ports[0])
        for key in [
            "123456789", "node:{edge-a}", "node:{edge-a}:reservations", "stream:{town-hall}:carriers",
            "publishers:{mesh}", "foo{}{bar}", "foo{{bar}}zap", "nodes", "ratelimit:{whep:192.0.2.1}", "",
        ] {
            #expect(try redis.command(["CLUSTER", "KEYSLOT", key]) == .integer(Int64(RedisHashSlot.of(key))), "\(key)")
        }
    }

    @Test("commands go to the master of their slot; a pipeline over several masters keeps its order")
    func routesBySlot() async throws {
        let (cluster, client) = try await Self.client()
        let keys = (0..<24).map { "k:{\($0)}" }
        for (index, key) in keys.enumerated() { _ = try await client.command(["SET", key, String(index)]) }
        // Each key sits on the master the cluster says serves its slot, and only there.
        #expect(Set(keys.compactMap { cluster.masterPort(of: $0) }).count == 3)
        for (index, key) in keys.enumerated() {
            let owner = try #require(cluster.masterPort(of: key))
            #expect(try Self.connection(owner).command(["GET", key]) == .bulk(Array(String(index).utf8)))
        }
        let replies = try await client.pipeline(keys.map { ["GET", $0] } + [["PING"]])
        #expect(replies == keys.indices.map { .bulk(Array(String($0).utf8)) } + [.status("PONG")])
        // A MULTI stays whole, on its keys' master.
        let transaction = try await client.pipeline([
            ["SET", "a:{x}", "1"], ["MULTI"], ["INCR", "t:{y}"], ["INCR", "t:{y}:n"], ["EXEC"], ["GET", "a:{x}"],
        ])
        #expect(transaction.last == .bulk(Array("1".utf8)))
        #expect(transaction[4] == .array([.integer(1), .integer(1)]))
        await client.shutdown()
    }

    @Test("a script runs on every master; one that never saw it answers NOSCRIPT and gets EVAL")
    func scriptsOnEveryMaster() async throws {
        let (cluster, client) = try await Self.client()
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        // Keys on three different masters.
        var byMaster: [Int: String] = [:]
        for index in 0..<64 where byMaster.count < 3 {
            let key = "s:{\(index)}"
            if let port = cluster.masterPort(of: key), byMaster[port] == nil { byMaster[port] = key }
        }
        #expect(byMaster.count == 3)
        for key in byMaster.values {
            #expect(try await client.run(script, keys: [key], arguments: ["2"]) == .integer(2))
            #expect(try await client.run(script, keys: [key], arguments: ["3"]) == .integer(5))
        }
        // SCRIPT LOAD went to one master; the other two learned the script from EVAL.
        #expect(client.scriptFallbackCount == 2)
        // Keys of two slots in one script: the cluster refuses it, the client passes that on.
        await #expect(throws: RedisError.self) {
            try await client.run(script, keys: ["s:{0}", "s:{1}"], arguments: ["1"])
        }
        await client.shutdown()
    }

    @Test("a slot being migrated answers ASK, the client asks the importing node; once moved, MOVED")
    func followsAskAndMoved() async throws {
        let (cluster, client) = try await Self.client()
        let key = "m:{migrating}"
        let fresh = "m:{migrating}:new"
        let slot = RedisHashSlot.of(key)
        _ = try await client.command(["SET", key, "old"])
        let source = try #require(cluster.masterPort(of: key))
        let destination = try #require(cluster.masterPorts().first { $0 != source })
        let sourceRedis = try Self.connection(source)
        let destinationRedis = try Self.connection(destination)
        let sourceID = try #require(try sourceRedis.command(["CLUSTER", "MYID"]).string)
        let destinationID = try #require(try destinationRedis.command(["CLUSTER", "MYID"]).string)
        _ = try destinationRedis.command(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID])
        _ = try sourceRedis.command(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", destinationID])
        // A key still on the source is served there; a new one is sent on with ASK.
        #expect(try await client.command(["GET", key]) == .bulk(Array("old".utf8)))
        _ = try await client.command(["SET", fresh, "new"])
        #expect(try destinationRedis.command(["ASKING"]) == .status("OK"))
        #expect(try destinationRedis.command(["GET", fresh]) == .bulk(Array("new".utf8)))
        _ = try sourceRedis.command(["MIGRATE", "127.0.0.1", String(destination), "", "0", "5000", "KEYS", key])
        for port in cluster.ports {
            _ = try? Self.connection(port).command(["CLUSTER", "SETSLOT", String(slot), "NODE", destinationID])
        }
        // The client's map still names the source, which now answers MOVED.
        #expect(try await client.command(["GET", key]) == .bulk(Array("old".utf8)))
        #expect(try await client.command(["GET", fresh]) == .bulk(Array("new".utf8)))
        #expect(cluster.masterPort(of: key) == destination)
        await client.shutdown()
    }

    @Test("the registry, directory, reservations and claims work on a Cluster")
    func registryOnCluster() async throws {
        let (_, client) = try await Self.client()
        let registry = NodeRegistry(client: client, ttl: .seconds(30))
        let now: UInt64 = 1_800_000_000_000
        for id in ["edge-a", "edge-b", "origin-1"] {
            try await registry.heartbeat(
                NodeStatus(
                    id: id, role: id.hasPrefix("edge") ? .edge : .origin, region: "eu", apiURL: "http://127.0.0.1:1",
                    mediaAddress: "127.0.0.1:2", capacity: .init(sessions: 1, egressBitsPerSecond: 1_000_000),
                    updatedAt: now))
        }
        #expect(try await registry.nodes().map(\.id) == ["edge-a", "edge-b", "origin-1"])
        #expect(try await registry.touch(id: "edge-a") == false)
        #expect(try await registry.setDraining(id: "edge-b"))
        let reservations = CapacityReservation(client: client)
        #expect(try await reservations.reserve(node: "edge-a", token: "v1", now: now) == .reserved(pending: 1))
        #expect(try await reservations.reserve(node: "edge-a", token: "v2", now: now) == .refused(.full))
        #expect(try await reservations.reserve(node: "edge-b", token: "v3", now: now) == .refused(.draining))
        let directory = StreamDirectory(client: client)
        try await directory.register(StreamRecord(name: "town-hall", originNode: "origin-1", tracks: [], startedAt: 1))
        try await directory.addCarrier(stream: "town-hall", node: "edge-a", now: now)
        #expect(try await directory.lookup("town-hall")?.originNode == "origin-1")
        #expect(try await directory.streams().contains("town-hall"))
        #expect(try await directory.carriers(of: "town-hall", now: now) == ["edge-a"])
        let claims = PublisherClaims(client: client)
        #expect(try await claims.claim(stream: "town-hall", origin: "origin-1", limit: 1, now: now) == .claimed)
        #expect(try await claims.claim(stream: "other", origin: "origin-1", limit: 1, now: now) == .full)
        try await registry.remove(id: "edge-b")
        #expect(try await registry.nodes().map(\.id) == ["edge-a", "origin-1"])
        await client.shutdown()
    }
}
