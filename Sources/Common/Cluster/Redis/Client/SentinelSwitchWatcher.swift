import Foundation
import Synchronization

/// Listens for failovers the way the Sentinel client specification asks: a connection to each
/// sentinel subscribed to `+switch-master`, so a client moves to the new master the moment the
/// sentinels announce it, not when a command on the old one fails (`READONLY`, a lost socket) or
/// times out (a master that hangs rather than dies).
///
/// One thread per sentinel, each blocking on its own connection (hiredis is blocking; a thread
/// per sentinel keeps one silent sentinel from delaying another's message). A connection that
/// fails, or whose `PING` goes unanswered for the I/O timeout (a stopped sentinel), is reopened
/// after a back-off. The first sentinel to announce a switch wins; the others' copies of the
/// same message find the client already on the new master.
final class SentinelSwitchWatcher: Sendable {
    /// The Pub/Sub channel sentinels announce a new master on.
    static let channel = "+switch-master"

    private let set: RedisSentinels
    private let connectTimeout: Duration
    private let ioTimeout: Duration
    private let onSwitch: @Sendable (RedisEndpoint) -> Void
    private let stopped = Atomic<Bool>(false)

    /// A watcher of `set` that calls `onSwitch` with the new master's endpoint (the set's
    /// database and password) on every announcement for the set's master name.
    init(
        set: RedisSentinels, connectTimeout: Duration, ioTimeout: Duration,
        onSwitch: @escaping @Sendable (RedisEndpoint) -> Void
    ) {
        self.set = set
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.onSwitch = onSwitch
    }

    /// Starts one thread per sentinel.
    func start() {
        for sentinel in set.sentinels {
            let thread = Thread { [self] in watch(sentinel) }
            thread.name = "meshcast.sentinel-watch"
            thread.start()
        }
    }

    /// Makes every thread close its connection and end within a quarter second.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func watch(_ sentinel: RedisEndpoint) {
        var backoff = ReconnectBackoff()
        while !isStopped {
            do throws(RedisError) {
                let connection = try RedisConnection(
                    endpoint: sentinel, connectTimeout: connectTimeout, ioTimeout: ioTimeout)
                defer { connection.close() }
                try connection.append(["SUBSCRIBE", Self.channel])
                try listen(on: connection) { backoff.reset() }
            } catch {
                // Reopened after the back-off; the client still learns of failovers from its own
                // connection meanwhile.
            }
            var wait = backoff.nextDelay()
            while wait > .zero, !isStopped {
                let step = min(wait, .milliseconds(250))
                Thread.sleep(
                    forTimeInterval: Double(step.components.seconds) + Double(step.components.attoseconds) / 1e18)
                wait -= step
            }
        }
    }

    /// Reads `connection`'s messages until the watcher stops or the connection fails; a `PING`
    /// every second tells a live sentinel from a stopped one.
    private func listen(on connection: RedisConnection, subscribed: () -> Void) throws(RedisError) {
        var pingSent: ContinuousClock.Instant?
        var lastPing = ContinuousClock.now
        while !isStopped {
            let now = ContinuousClock.now
            if let sent = pingSent, now - sent > ioTimeout {
                throw .timeout("sentinel \(connection.endpoint) did not answer PING within \(ioTimeout)")
            }
            if pingSent == nil, now - lastPing >= .seconds(1) {
                try connection.append(["PING"])
                pingSent = now
                lastPing = now
            }
            guard let reply = try connection.nextReply(within: .milliseconds(250)) else { continue }
            let parts = reply.array?.compactMap(\.string) ?? []
            switch parts.first?.lowercased() {
            case "subscribe": subscribed()
            case "pong": pingSent = nil
            case "message":
                if parts.count == 3, parts[1] == Self.channel, let master = set.switchedMaster(parts[2]) {
                    onSwitch(master)
                }
            default: break
            }
        }
    }

}

extension RedisSentinels {
    /// The new master in a `+switch-master` payload (`<name> <old-ip> <old-port> <new-ip>
    /// <new-port>`, a sentinel's message) when it is about this set's master, with the set's
    /// database and password; `nil` for another master or a malformed payload.
    public func switchedMaster(_ payload: String) -> RedisEndpoint? {
        let fields = payload.split(separator: " ")
        guard fields.count == 5, fields[0] == masterName, let port = Int(fields[4]), (1...65535).contains(port)
        else { return nil }
        return RedisEndpoint(address: .tcp(host: String(fields[3]), port: port), database: database, password: password)
    }
}
