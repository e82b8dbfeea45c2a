import Dispatch
import MeshCluster
import Synchronization

/// The mesh's PostgreSQL client: an async API over one blocking `PostgresConnection` that lives
/// on the client's own serial dispatch queue, so no NIO event loop, media worker or Swift
/// concurrency thread ever waits on a PostgreSQL socket. The same shape as MeshCluster's
/// `RedisClient`.
///
/// When the connection fails the client reports itself unavailable (`isAvailable`,
/// `availabilityUpdates()`), fails calls fast with `PostgresError.closed`, and reconnects in
/// the background with `ReconnectBackoff`. `onConnect` runs on every new connection before it
/// is offered to callers (the catalog applies its migrations there).
public final class PostgresClient: Sendable {
    /// Timeouts, back-off and the set-up run on each new connection.
    public struct Configuration: Sendable {
        /// How long a connect may take, in whole seconds (libpq's minimum is 2).
        public var connectTimeoutSeconds: Int
        /// How long one statement may wait for the server before the connection is dropped.
        public var ioTimeout: Duration
        /// The wait between reconnect attempts.
        public var backoff: ReconnectBackoff
        /// Run on each new connection; a failure drops it and counts as a failed connect.
        public var onConnect: @Sendable (PostgresConnection) throws(PostgresError) -> Void

        /// 2 s connect, 10 s I/O, 100 ms doubling to 5 s with jitter, nothing on connect.
        public init(
            connectTimeoutSeconds: Int = 2, ioTimeout: Duration = .seconds(10),
            backoff: ReconnectBackoff = ReconnectBackoff(),
            onConnect: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> Void = { _ in }
        ) {
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.ioTimeout = ioTimeout
            self.backoff = backoff
            self.onConnect = onConnect
        }
    }

    /// State that only the queue touches; the mutex makes that provable to the compiler.
    private struct Link {
        var connection: PostgresConnection?
        var backoff: ReconnectBackoff
        var reconnectPending = false
        var isShutDown = false
    }

    private let url: String
    private let configuration: Configuration
    private let queue: DispatchQueue
    private let link: Mutex<Link>
    private let available = Atomic<Bool>(false)
    private let watchers = Mutex<[Int: AsyncStream<Bool>.Continuation]>([:])
    private let nextWatcher = Atomic<Int>(0)
    // Apart from `link`, whose lock is held through blocking I/O, so readers never wait on it.
    private let failure = Mutex<PostgresError?>(nil)

    /// Creates the client and starts connecting at once, in the background. `url` is a secret
    /// (it may hold a password): it is never logged or put into an error.
    public init(url: String, configuration: Configuration = Configuration()) {
        self.url = url
        self.configuration = configuration
        self.queue = DispatchQueue(label: "meshcast.postgres")
        self.link = Mutex(Link(backoff: configuration.backoff))
        queue.async { self.attemptConnect() }
    }

    deinit {
        finishWatchers()
    }

    /// True while a connection is up; false before the first connect and while reconnecting.
    public var isAvailable: Bool { available.load(ordering: .acquiring) }

    /// The last connection-level failure (nil once connected again).
    public var lastError: PostgresError? { failure.withLock { $0 } }

    /// A stream that yields the current availability at once, then every change.
    public func availabilityUpdates() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(16))
        let id = nextWatcher.add(1, ordering: .relaxed).newValue
        continuation.onTermination = { [weak self] _ in _ = self?.watchers.withLock { $0.removeValue(forKey: id) } }
        watchers.withLock { watchers in
            // Under the same lock as `setAvailable`, so no change slips between these two lines.
            watchers[id] = continuation
            continuation.yield(available.load(ordering: .acquiring))
        }
        return stream
    }

    /// Returns once availability equals `wanted` (at once if it already does).
    public func waitUntil(available wanted: Bool) async {
        for await value in availabilityUpdates() where value == wanted { return }
    }

    /// Runs one parameterised statement.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> PostgresResult {
        try await withConnection { connection throws(PostgresError) in try connection.query(sql, parameters) }
    }

    /// Runs `body` in one transaction on the queue (committed when it returns, rolled back when
    /// it throws).
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        try await withConnection { connection throws(PostgresError) in try connection.transaction(body) }
    }

    /// Runs `body` with the connection on the queue and hands its result back to the caller.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, PostgresError>, Never>) in
            queue.async { done.resume(returning: self.perform(body)) }
        }
        return try result.get()
    }

    /// Stops reconnecting and closes the connection; later calls throw `PostgresError.closed`.
    public func shutdown() async {
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

    /// On the queue: use the connection, and drop it (then reconnect) if it failed.
    private func perform<T: Sendable>(
        _ body: (PostgresConnection) throws(PostgresError) -> T
    ) -> Result<T, PostgresError> {
        var lost = false
        let result: Result<T, PostgresError> = link.withLock { link in
            if link.isShutDown { return .failure(.closed("the client was shut down")) }
            guard let connection = link.connection else {
                let reason = failure.withLock { $0 }.map { "reconnecting after: \($0)" } ?? "connecting"
                return .failure(.closed("no connection (\(reason))"))
            }
            do throws(PostgresError) {
                return .success(try body(connection))
            } catch {
                if error.isConnectionFailure || !connection.isOpen {
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

    /// On the queue: one connect attempt, then the `onConnect` set-up.
    private func attemptConnect() {
        let connected = link.withLock { link -> Bool in
            link.reconnectPending = false
            if link.isShutDown { return false }
            if link.connection != nil { return true }
            do throws(PostgresError) {
                let connection = try PostgresConnection(
                    url: url, connectTimeout: configuration.connectTimeoutSeconds, ioTimeout: configuration.ioTimeout)
                try configuration.onConnect(connection)
                link.connection = connection
                link.backoff.reset()
                failure.withLock { $0 = nil }
                return true
            } catch {
                failure.withLock { $0 = error }
                return false
            }
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
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(delay / .milliseconds(1)))) { [weak self] in
            self?.attemptConnect()
        }
    }

    /// Ends every availability stream, outside the lock (`finish()` runs `onTermination`).
    private func finishWatchers() {
        let ended = watchers.withLock { watchers in
            defer { watchers = [:] }
            return Array(watchers.values)
        }
        for continuation in ended { continuation.finish() }
    }

    private func setAvailable(_ value: Bool) {
        watchers.withLock { watchers in
            guard available.exchange(value, ordering: .acquiringAndReleasing) != value else { return }
            for continuation in watchers.values { continuation.yield(value) }
        }
    }
}
