import Foundation
import MeshCluster

/// A Redis of one kind that belongs to one test alone, so the test may stop all of it (an
/// outage) and bring it back, which the shared Sentinel set and Cluster of `RedisTestBackend`
/// must never see. Standalone: a `RedisTestServer`. Sentinel: its own master, two replicas and
/// three sentinels. Cluster: its own six nodes. Each on free loopback ports, in its own temp
/// directory, killed when the test's `with` ends.
///
/// Sets start one at a time in the process (`PrivateRedis.with` holds a lease for the test): a
/// 2-core CI machine starting several clusters at once starves them past their readiness bound.
public final class PrivateRedis: @unchecked Sendable {
    // `@unchecked`: the processes change only in `stop()` and `start()`, which the one test that
    // owns this Redis calls in sequence.

    /// The kind of Redis.
    public let kind: RedisTestKind
    /// Where a client finds it; the same across restarts (the same ports).
    public let target: RedisTarget
    private let directory: URL
    private var standalone: RedisTestServer?
    private var sentinel: LocalSentinelSet?
    private var cluster: LocalRedisCluster?
    private var lives = 0

    /// Runs `body` with a private Redis of `kind`, started and settled first and killed after.
    public static func with<T>(_ kind: RedisTestKind, _ body: (PrivateRedis) async throws -> T) async throws -> T {
        if kind != .standalone { await lease.acquire() }
        let redis: PrivateRedis
        do {
            redis = try await PrivateRedis(kind)
        } catch {
            if kind != .standalone { await lease.release() }
            throw error
        }
        do {
            let result = try await body(redis)
            redis.stop()
            if kind != .standalone { await lease.release() }
            return result
        } catch {
            redis.stop()
            if kind != .standalone { await lease.release() }
            throw error
        }
    }

    private static let lease = TestLease()

    private init(_ kind: RedisTestKind) async throws {
        self.kind = kind
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "meshcast-private-\(kind)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch kind {
        case .standalone:
            let server = try RedisTestServer()
            standalone = server
            target = .standalone(server.endpoint)
        case .sentinel:
            let ports = try Self.distinctPorts(6)
            let set = LocalSentinelSet(
                executable: Self.executable, masterName: "meshcast", serverPorts: Array(ports[0..<3]),
                sentinelPorts: Array(ports[3..<6]), directory: directory)
            sentinel = set
            target = set.target
        case .cluster:
            let ports = try ClusterTestSet.ports(count: 6)
            let set = LocalRedisCluster(executable: Self.executable, ports: ports, directory: directory)
            cluster = set
            target = set.target
        }
        if kind != .standalone { try await start() }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills every process of it (SIGKILL, as a crash or a lost machine would) and waits for them.
    public func stop() {
        standalone?.stop()
        sentinel?.stop()
        cluster?.stop()
    }

    /// Brings it back on the same ports, empty, and waits until it has settled (a Sentinel set
    /// whose sentinels name the master, a Cluster whose nodes all say `ok`). Off the test's
    /// thread: starting a set blocks for seconds.
    public func start() async throws {
        lives += 1
        let life = directory.appendingPathComponent("life-\(lives)")
        try FileManager.default.createDirectory(at: life, withIntermediateDirectories: true)
        switch kind {
        case .standalone:
            try standalone?.start()
        case .sentinel:
            guard let old = sentinel else { return }
            // A fresh set object: a `Process` runs once, and the set keeps its processes.
            let set = LocalSentinelSet(
                executable: Self.executable, masterName: old.masterName, serverPorts: old.serverPorts,
                sentinelPorts: old.sentinelPorts, directory: life)
            sentinel = set
            nonisolated(unsafe) let starting = set
            try await Self.blocking { try starting.start() }
        case .cluster:
            guard let old = cluster else { return }
            // A fresh directory: `--cluster create` refuses nodes that remember a cluster.
            let set = LocalRedisCluster(executable: Self.executable, ports: old.ports, directory: life)
            cluster = set
            nonisolated(unsafe) let starting = set
            try await Self.blocking { try starting.start() }
        }
    }

    private static var executable: String { RedisServerProcess.findExecutable() ?? "/usr/bin/redis-server" }

    private static func distinctPorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        while ports.count < count {
            let port = try FreePort.tcp()
            if !ports.contains(port) { ports.append(port) }
        }
        return ports
    }

    /// Runs `work` on a thread of its own and awaits it, so no Swift concurrency thread sleeps.
    private static func blocking(_ work: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// An async mutual exclusion: one holder at a time, waiters resumed in order.
actor TestLease {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
