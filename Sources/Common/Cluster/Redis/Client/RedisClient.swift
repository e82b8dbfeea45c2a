import Dispatch
import Synchronization

/// The mesh's Redis client: an async API over one blocking `RedisConnection` that lives on the
/// client's own serial dispatch queue, so no NIO event loop, media worker or Swift concurrency
/// thread ever waits on a Redis socket.
///
/// When the connection fails the client reports itself unavailable (`isAvailable`,
/// `availabilityUpdates()`), fails commands fast with `RedisError.closed`, and reconnects in the
/// background with `ReconnectBackoff`. Nodes keep forwarding media meanwhile and answer new
/// placements with `503`; they re-register when availability returns.
///
/// With a Sentinel target (`RedisTarget.sentinel`) every connect asks the sentinels for the
/// master and checks its `ROLE`; the client also subscribes to `+switch-master` on every
/// sentinel (``SentinelSwitchWatcher``) and moves to an announced master at once, without
/// losing availability. A `READONLY`, `LOADING` or `MASTERDOWN` answer counts as a lost
/// connection, so a failover whose announcement was missed is followed within a back-off. Scripts survive a
/// master that never saw them: `EVALSHA` falls back to `EVAL` on `NOSCRIPT`.
///
/// With a Cluster target (`RedisTarget.cluster`) the connection is a `RedisClusterConnection`:
/// commands go to their slot's master and follow `MOVED`/`ASK`; the client loses availability
/// only when a slot stays unreachable past that connection's retry budget.
public final class RedisClient: Sendable {
    /// Timeouts and back-off.
    public struct Configuration: Sendable {
        /// How long a connect may take.
        public var connectTimeout: Duration
        /// How long one read or write may block.
        public var ioTimeout: Duration
        /// The wait between reconnect attempts.
        public var backoff: ReconnectBackoff

        /// 1 s connect, 2 s I/O, 100 ms doubling to 5 s with jitter, unless told otherwise.
        public init(
            connectTimeout: Duration = .seconds(1), ioTimeout: Duration = .seconds(2),
            backoff: ReconnectBackoff = ReconnectBackoff()
        ) {
            self.connectTimeout = connectTimeout
            self.ioTimeout = ioTimeout
            self.backoff = backoff
        }
    }

    /// State that only the queue touches; the mutex makes that provable to the compiler.
    private struct Link {
        var connection: (any RedisCommandChannel)?
        var backoff: ReconnectBackoff
        /// Sentinel mode: the sentinel to ask first (the last one that answered).
        var firstSentinel = 0
        var reconnectPending = false
        var isShutDown = false
    }

    private struct Watchers {
        var nextID = 0
        var continuations: [Int: AsyncStream<Bool>.Continuation] = [:]
    }

    /// Where the client finds its server.
    public let target: RedisTarget
    private let current: Mutex<RedisEndpoint?>
    private let configuration: Configuration
    private let queue: DispatchQueue
    private let link: Mutex<Link>
    private let available = Atomic<Bool>(false)
    private let wasLost = Atomic<Bool>(false)
    private let returned = Mutex<ContinuousClock.Instant?>(nil)
    private let watchers = Mutex(Watchers())
    private let fallbacks = Atomic<Int>(0)
    // Apart from `link`, whose lock is held through blocking I/O, so these never wait on it.
    private let failure = Mutex<RedisError?>(nil)
    private let scriptHashes = Mutex<[RedisScript: String]>([:])
    private let switches = Atomic<Int>(0)
    private let watcher: SentinelSwitchWatcher?

    /// Creates a client of one server and starts connecting at once, in the background.
    public convenience init(endpoint: RedisEndpoint, configuration: Configuration = Configuration()) {
        self.init(target: .standalone(endpoint), configuration: configuration)
    }

    /// Creates the client and starts connecting at once, in the background.
    public init(target: RedisTarget, configuration: Configuration = Configuration()) {
        self.target = target
        if case .standalone(let endpoint) = target {
            current = Mutex(endpoint)
        } else {
            current = Mutex(nil)
        }
        self.configuration = configuration
        self.queue = DispatchQueue(label: "meshcast.redis.\(target)")
        self.link = Mutex(Link(backoff: configuration.backoff))
        // Weak: the watcher's threads must not keep a client nobody uses alive.
        let follow = WeakClient()
        if case .sentinel(let set) = target {
            watcher = SentinelSwitchWatcher(
                set: set, connectTimeout: configuration.connectTimeout, ioTimeout: configuration.ioTimeout
            ) { master in follow.client?.followSwitch(to: master) }
        } else {
            watcher = nil
        }
        follow.client = self
        watcher?.start()
        queue.async { self.attemptConnect() }
    }

    deinit {
        watcher?.stop()
        finishWatchers()
    }

    /// The server the client uses (the master found last, with a Sentinel target), or the
    /// target when none was found yet; for logs and messages.
    public var endpoint: String {
        current.withLock { $0 }.map(\.description) ?? target.description
    }

    // MARK: Availability

    /// True while a connection is up; false before the first connect and while reconnecting.
    public var isAvailable: Bool { available.load(ordering: .acquiring) }

    /// When the connection last came back after being lost; `nil` if it never was lost. A
    /// Redis that restarted empty fills up again one heartbeat at a time from then on.
    public var lastReturn: ContinuousClock.Instant? { returned.withLock { $0 } }

    /// The last connection-level failure, for logs and `/health` (nil once connected again).
    public var lastError: RedisError? { failure.withLock { $0 } }

    /// How many `+switch-master` announcements moved the client to a new master (Sentinel).
    public var masterSwitchesFollowed: Int { switches.load(ordering: .relaxed) }

    /// How many times a script had to fall back from `EVALSHA` to `EVAL` (a metric).
    public var scriptFallbackCount: Int { fallbacks.load(ordering: .relaxed) }

    /// A stream that yields the current availability at once, then every change.
    public func availabilityUpdates() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(16))
        let id = watchers.withLock { watchers in
            watchers.nextID += 1
            return watchers.nextID
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        watchers.withLock { watchers in
            // Under the same lock as `setAvailable`, so no change slips between these two lines.
            watchers.continuations[id] = continuation
            continuation.yield(available.load(ordering: .acquiring))
        }
        return stream
    }

    /// Returns once availability equals `wanted` (at once if it already does).
    public func waitUntil(available wanted: Bool) async {
        for await value in availabilityUpdates() where value == wanted { return }
    }

    // MARK: Commands

    /// Sends one command; a top-level error reply throws `RedisError.server` with Redis's text.
    public func command(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await onQueue { connection throws(RedisError) in try connection.command(arguments) }
    }

    /// Sends one command with binary arguments.
    public func command(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await onQueue { connection throws(RedisError) in try connection.command(bytes: arguments) }
    }

    /// Sends several commands in one round trip; error replies come back as `.error` elements.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        try await onQueue { connection throws(RedisError) in try connection.pipeline(commands) }
    }

    /// Runs `script` by its SHA1 (`SCRIPT LOAD` on first use); if the server no longer knows
    /// it (`NOSCRIPT` after a restart or `SCRIPT FLUSH`), runs it with `EVAL`, which also
    /// caches it on the server again.
    public func run(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        try await run(script, keys: keys, arguments: arguments, then: [])
    }

    /// Runs `script` as above with `followers` sent behind it in the same round trip: for a
    /// command that must come after the script but cannot be in it (a key in another Cluster
    /// slot). The followers run whatever the script answers (and once only when it falls back
    /// to `EVAL`); an error reply from one throws `RedisError.server`.
    public func run(_ script: RedisScript, keys: [String], arguments: [String], then followers: [[String]])
        async throws(RedisError) -> RedisReply
    {
        let tail = [String(keys.count)] + keys + arguments
        return try await onQueue { connection throws(RedisError) in
            let hash: String
            if let known = self.scriptHashes.withLock({ $0[script] }) {
                hash = known
            } else {
                guard let loaded = try connection.command(["SCRIPT", "LOAD", script.source]).string else {
                    throw .unexpectedReply("SCRIPT LOAD did not return a SHA1")
                }
                self.scriptHashes.withLock { $0[script] = loaded }
                hash = loaded
            }
            let replies = try connection.pipeline([["EVALSHA", hash] + tail] + followers)
            let reply: RedisReply
            switch replies.first {
            case .error(let text) where text.hasPrefix("NOSCRIPT"):
                self.fallbacks.add(1, ordering: .relaxed)
                reply = try connection.command(["EVAL", script.source] + tail)
            case .error(let text):
                throw .server(text)
            case let first?:
                reply = first
            case nil:
                throw .unexpectedReply("no reply to EVALSHA")
            }
            for case .error(let text) in replies.dropFirst() { throw .server(text) }
            return reply
        }
    }

    /// Stops reconnecting and closes the connection; later commands throw `RedisError.closed`.
    public func shutdown() async {
        watcher?.stop()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                self.link.withLock { link in
                    link.isShutDown = true
                    link.connection?.close()
                    link.connection = nil
                }
                self.setAvailable(false)
                self.finishWatchers()
                done.resume()
            }
        }
    }

    // MARK: The queue

    /// Runs `body` with the connection on the queue and hands its result back to the caller.
    private func onQueue<T: Sendable>(
        _ body: @escaping @Sendable (any RedisCommandChannel) throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, RedisError>, Never>) in
            queue.async { done.resume(returning: self.perform(body)) }
        }
        return try result.get()
    }

    /// On the queue: use the connection, and drop it (then reconnect) if it failed.
    private func perform<T: Sendable>(
        _ body: (any RedisCommandChannel) throws(RedisError) -> T
    ) -> Result<T, RedisError> {
        var lost = false
        let result: Result<T, RedisError> = link.withLock { link in
            if link.isShutDown { return .failure(.closed("client for \(endpoint) was shut down")) }
            guard let connection = link.connection else {
                let reason = failure.withLock { $0 }.map { "reconnecting after: \($0)" } ?? "connecting"
                return .failure(.closed("no connection to \(endpoint) (\(reason))"))
            }
            do throws(RedisError) {
                return .success(try body(connection))
            } catch {
                if error.isConnectionFailure || error.isFailoverSignal {
                    connection.close()
                    link.connection = nil
                    failure.withLock { $0 = error }
                    lost = true
                }
                return .failure(error)
            }
        }
        if lost {
            setAvailable(false)
            scheduleReconnect()
        }
        return result
    }

    /// Sentinel mode: the sentinels announced `master`. On the queue, unless the connection is
    /// already there: connect to the master the sentinels name now (with its `ROLE` checked),
    /// then swap it in, so commands never see the old master and availability never drops; if
    /// that connect fails, the old connection is dropped as lost and reconnects as usual.
    func followSwitch(to master: RedisEndpoint) {
        queue.async { [self] in
            let outcome = link.withLock { link -> Bool? in
                if link.isShutDown || link.connection?.endpoint.address == master.address { return nil }
                link.connection?.close()
                link.connection = nil
                return open(&link)
            }
            switch outcome {
            case true?:
                switches.add(1, ordering: .relaxed)
                setAvailable(true)
            case false?:
                setAvailable(false)
                scheduleReconnect()
            case nil:
                break
            }
        }
    }

    /// Under the link's lock: opens a connection to the target's current master and records it
    /// (endpoint, back-off reset, last failure cleared), or records the failure; true when open.
    private func open(_ link: inout Link) -> Bool {
        do throws(RedisError) {
            let connection = try target.openConnection(
                connectTimeout: configuration.connectTimeout, ioTimeout: configuration.ioTimeout,
                firstSentinel: &link.firstSentinel)
            link.connection = connection
            current.withLock { $0 = connection.endpoint }
            link.backoff.reset()
            failure.withLock { $0 = nil }
            return true
        } catch {
            failure.withLock { $0 = error }
            return false
        }
    }

    /// On the queue: one connect attempt.
    private func attemptConnect() {
        let connected = link.withLock { link -> Bool in
            link.reconnectPending = false
            if link.isShutDown { return false }
            if link.connection != nil { return true }
            return open(&link)
        }
        if connected {
            setAvailable(true)
        } else {
            scheduleReconnect()
        }
    }

    /// On the queue: schedule one attempt after the next back-off delay, unless one is pending.
    private func scheduleReconnect() {
        let delay = link.withLock { link -> Duration? in
            guard !link.isShutDown, !link.reconnectPending, link.connection == nil else { return nil }
            link.reconnectPending = true
            return link.backoff.nextDelay()
        }
        guard let delay else { return }
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
            self?.attemptConnect()
        }
    }

    /// Ends every availability stream. Outside the lock: `finish()` runs `onTermination`,
    /// which takes the lock itself.
    private func finishWatchers() {
        let ended = watchers.withLock { watchers in
            defer { watchers.continuations = [:] }
            return Array(watchers.continuations.values)
        }
        for continuation in ended { continuation.finish() }
    }

    private func setAvailable(_ value: Bool) {
        watchers.withLock { watchers in
            let previous = available.exchange(value, ordering: .acquiringAndReleasing)
            guard previous != value else { return }
            if !value {
                wasLost.store(true, ordering: .relaxed)
            } else if wasLost.load(ordering: .relaxed) {
                returned.withLock { $0 = .now }
            }
            for continuation in watchers.continuations.values { continuation.yield(value) }
        }
    }
}

/// The client as the Sentinel watcher's callback holds it: weakly.
private final class WeakClient: @unchecked Sendable {
    // Written once, in the client's init, before the watcher starts; read only after.
    weak var client: RedisClient?
}
