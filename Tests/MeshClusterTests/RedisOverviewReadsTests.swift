import MeshCluster
import MeshTestSupport
import Testing

/// What `GET /v1/mesh` reads from the registries (issue 16): each node's viewer report of a
/// stream while it has not expired, and the time since each node's last heartbeat.
@Suite("Redis reads for the mesh overview", .timeLimit(.minutes(1)))
struct RedisOverviewReadsTests {
    @Test("viewer reports count per node until they expire; the total is their sum")
    func viewerReports() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let directory = StreamDirectory(client: client, carrierTTL: .seconds(5))
        try await directory.reportViewers(stream: "live", node: "edge-a", count: 3, now: 1_000)
        try await directory.reportViewers(stream: "live", node: "edge-b", count: 2, now: 4_000)
        // edge-a's report expires at 6 000, edge-b's at 9 000 (now + the 5 s carrier TTL).
        #expect(try await directory.viewerReports(of: "live", now: 5_000) == ["edge-a": 3, "edge-b": 2])
        #expect(try await directory.viewerCount(of: "live", now: 5_000) == 5)
        #expect(try await directory.viewerReports(of: "live", now: 6_000) == ["edge-b": 2])
        #expect(try await directory.viewerReports(of: "other", now: 5_000) == [:])
        await client.shutdown()
    }

    @Test("heartbeat ages are the TTL less PTTL, and expired nodes are left out")
    func heartbeatAges() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let registry = NodeRegistry(client: client, ttl: .seconds(60))
        _ = try await registry.heartbeat(RedisRegistryTests.edge("edge-1", sessions: 0, capacity: 10))
        // As if the last beat were 20 s ago.
        _ = try await client.command(["PEXPIRE", "node:{edge-1}", "40000"])
        let ages = try await registry.heartbeatAges(ids: ["edge-1", "gone"])
        #expect(ages.keys.sorted() == ["edge-1"])
        // At least the 20 s set; a slow machine adds the time between the two commands.
        #expect((20_000..<30_000).contains(ages["edge-1"] ?? 0))
        #expect(try await registry.heartbeatAges(ids: []) == [:])
        await client.shutdown()
    }

    @Test("a node's report replaces its earlier one and expires with it")
    func nodeReports() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let reports = NodeReports(client: client, ttl: .seconds(30))
        let link = LinkReport(
            id: "l1", upstream: "origin", downstream: "edge-a", reportedBy: "edge-a", streams: ["live"],
            packetsPerSecond: 90.5, roundTripMilliseconds: nil, fractionLost: 0.02)
        var report = NodeReport(
            node: "edge-a", topology: "0123456789abcdef", placementsPerSecond: 1, placementP99Seconds: nil,
            links: [link, link])
        try await reports.publish(report)
        report.links = [link]
        try await reports.publish(report)
        #expect(try await reports.reports(of: ["edge-a", "origin"]) == [report])
        _ = try await client.command(["SET", "node:{origin}:report", "not json"])
        #expect(try await reports.reports(of: ["origin", "edge-a"]) == [report])
        // It expires with the node: the key carries the TTL (Redis removes it; no sleeping on a
        // loaded machine to watch it go).
        let left = try #require(try await client.command(["PTTL", NodeReports.key("edge-a")]).int)
        #expect(left > 0 && left <= 30_000)
        _ = try await client.command(["DEL", NodeReports.key("edge-a")])
        #expect(try await reports.reports(of: ["edge-a"]) == [])
        // A report from a build whose links counted no bytes still reads, without a bitrate.
        let older =
            #"{"node":"relay","topology":"0123456789abcdef","placementsPerSecond":0,"links":[{"id":"l2","#
            + #""upstream":"origin","downstream":"relay","reportedBy":"relay","streams":[],"packetsPerSecond":5,"#
            + #""fractionLost":0}]}"#
        _ = try await client.command(["SET", "node:{relay}:report", older])
        #expect(try await reports.reports(of: ["relay"]).first?.links.first?.bitsPerSecond == nil)
        #expect(try await reports.reports(of: ["relay"]).first?.links.first?.packetsPerSecond == 5)
        await client.shutdown()
    }

    @Test("the failover log keeps the newest records first and no more than its capacity")
    func failoverLog() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let client = await RedisRegistryTests.connectedClient(server)
        let log = FailoverLog(client: client, capacity: 3)
        #expect(try await log.recent() == [])
        var records: [FailoverRecord] = []
        for index in 0..<5 {
            let record = FailoverRecord(
                at: UInt64(1_000 + index), node: "edge-\(index)", stream: "live", from: "relay-1",
                to: index == 4 ? nil : "origin-1", cause: index == 3 ? .upstreamDraining : .upstreamLost,
                milliseconds: 40 + index, failure: index == 4 ? "no path to an origin" : nil)
            records.append(record)
            try await log.record(record)
        }
        #expect(try await log.recent() == [records[4], records[3], records[2]])
        #expect(try await log.recent(limit: 1) == [records[4]])
        #expect(try await client.command(["LLEN", "failovers:{mesh}"]) == .integer(3))
        // A record this build cannot read is skipped, not fatal.
        _ = try await client.command(["LPUSH", "failovers:{mesh}", "{not json"])
        #expect(try await log.recent(limit: 2) == [records[4]])
        await client.shutdown()
    }
}
