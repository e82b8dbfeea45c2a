import CLibPQ
import Glibc

/// One blocking libpq connection. It is not thread-safe: `PostgresClient` keeps it on its own
/// queue, and tests and `PostgresServerProcess` use it from one thread.
///
/// Queries are always parameterised (`PQsendQueryParams`, text parameters): values never
/// become SQL text. They are sent asynchronously and awaited with `poll`, so that a server
/// that stops answering (a `SIGSTOP`, a dead network path) fails the call with
/// `PostgresError.timeout` after `ioTimeout` instead of blocking the queue forever.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    private let ioTimeout: Duration

    /// Connects to `url` (`postgresql://user[:password]@host:port/database`, or any libpq
    /// connection string). `connectTimeout` is whole seconds, at least 2 (libpq's minimum).
    public init(url: String, connectTimeout: Int = 2, ioTimeout: Duration = .seconds(10)) throws(PostgresError) {
        self.ioTimeout = ioTimeout
        let keywords = ["dbname", "connect_timeout", "application_name"]
        let values = [url, String(max(connectTimeout, 2)), "meshcast"]
        let connection = withCStrings(keywords) { keys in
            withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let text = PostgresError.connectionText(connection)
            PQfinish(connection)
            throw .connection(text)
        }
        // The server's NOTICEs ("relation already exists, skipping") would go to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    deinit {
        close()
    }

    /// Whether the connection is open (it may still be broken until the next call fails).
    public var isOpen: Bool { handle != nil }

    /// Closes the connection; later calls throw `PostgresError.closed`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Runs one statement with `$1`, `$2`... bound to `parameters` (nil is SQL NULL) and returns
    /// its rows. A connection failure or timeout closes the connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        guard let handle else { throw .closed("the connection was closed") }
        do throws(PostgresError) {
            try send(handle, sql, parameters)
            return try collect(handle)
        } catch {
            if error.isConnectionFailure { close() }
            throw error
        }
    }

    /// Runs `body` inside `BEGIN`/`COMMIT`; any error rolls back (when the connection still
    /// works) and is rethrown.
    public func transaction<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        try query("BEGIN")
        do throws(PostgresError) {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            if isOpen { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    private func send(_ handle: OpaquePointer, _ sql: String, _ parameters: [String?]) throws(PostgresError) {
        let sent = withOptionalCStrings(parameters) { values in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        guard sent == 1 else { throw .connection(PostgresError.connectionText(handle)) }
        // Parameters and SQL are small; flush what is buffered, waiting for the socket if needed.
        while true {
            let flushed = PQflush(handle)
            if flushed == 0 { return }
            if flushed < 0 { throw .connection(PostgresError.connectionText(handle)) }
            try wait(handle, for: Int16(POLLOUT))
        }
    }

    /// Reads every result of the statement; the first error wins, as libpq's `PQexec` does.
    private func collect(_ handle: OpaquePointer) throws(PostgresError) -> PostgresResult {
        var rows: PostgresResult?
        var failure: PostgresError?
        while true {
            while PQisBusy(handle) == 1 {
                try wait(handle, for: Int16(POLLIN))
                guard PQconsumeInput(handle) == 1 else { throw .connection(PostgresError.connectionText(handle)) }
            }
            guard let result = PQgetResult(handle) else { break }
            defer { PQclear(result) }
            if let error = PostgresError.from(result: result, connection: handle) {
                failure = failure ?? error
            } else if rows == nil {
                rows = PostgresResult(result)
            }
        }
        if let failure { throw failure }
        if PQstatus(handle) != CONNECTION_OK { throw .connection(PostgresError.connectionText(handle)) }
        return rows ?? PostgresResult(columns: [], rows: [], affected: 0)
    }

    private func wait(_ handle: OpaquePointer, for events: Int16) throws(PostgresError) {
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw .connection("libpq has no socket") }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        let milliseconds = Int32(clamping: Int64(ioTimeout / .milliseconds(1)))
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready == 0 { throw .timeout("no answer within \(ioTimeout)") }
            if errno != EINTR { throw .connection("poll: \(String(cString: strerror(errno)))") }
        }
    }

    /// Whether a server at `url` accepts connections now (`PQpingParams`): readiness probes.
    public static func ping(url: String) -> Bool {
        let keywords = ["dbname", "connect_timeout"]
        let values = [url, "2"]
        let answer = withCStrings(keywords) { keys in withCStrings(values) { vals in PQpingParams(keys, vals, 1) } }
        return answer == PQPING_OK
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    withOptionalCStrings(strings.map { Optional($0) }, body)
}

/// Calls `body` with an array of C strings (NULL for nil), plus a NULL terminator that also
/// keeps the array from being empty, all alive for the call.
private func withOptionalCStrings<T>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil } + [nil]
    defer { for copy in copies { free(copy) } }
    let pointers = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) {
            body(UnsafePointer($0.baseAddress.unsafelyUnwrapped))
        }
    }
}
