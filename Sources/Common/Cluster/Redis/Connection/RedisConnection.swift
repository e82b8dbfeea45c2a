import CHiredis
import Glibc

/// One blocking hiredis connection with connect and I/O timeouts.
///
/// Not thread-safe and not `Sendable`: one owner (the `RedisClient`'s queue) uses it at a time.
/// After any connection-level failure the hiredis context is unusable, so the connection frees
/// it and every later call throws `RedisError.closed`; the owner makes a new connection.
public final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?
    /// The endpoint this connection was opened to.
    public let endpoint: RedisEndpoint

    /// Connects, then sends `AUTH` and `SELECT` as the endpoint asks.
    ///
    /// - Parameters:
    ///   - connectTimeout: how long the TCP or Unix connect may take.
    ///   - ioTimeout: how long one read or write may block afterwards.
    public init(
        endpoint: RedisEndpoint, connectTimeout: Duration = .seconds(1), ioTimeout: Duration = .seconds(2)
    ) throws(RedisError) {
        self.endpoint = endpoint
        let connectValue = Self.timeval(connectTimeout)
        let made: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port):
            made = redisConnectWithTimeout(host, Int32(port), connectValue)
        case .unix(let path):
            made = redisConnectUnixWithTimeout(path, connectValue)
        }
        let savedErrno = errno
        guard let made else { throw .connection("cannot allocate a hiredis context for \(endpoint)") }
        if made.pointee.err != 0 {
            let error = RedisError.from(context: made, savedErrno: savedErrno, doing: "connect to \(endpoint)")
            redisFree(made)
            throw error
        }
        context = made
        guard redisSetTimeout(made, Self.timeval(ioTimeout)) == REDIS_OK else {
            let error = RedisError.from(context: made, savedErrno: errno, doing: "set timeout")
            close()
            throw error
        }
        if let password = endpoint.password {
            _ = try command(["AUTH", password])
        }
        if endpoint.database != 0 {
            _ = try command(["SELECT", String(endpoint.database)])
        }
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// True until the connection is closed or has failed.
    public var isOpen: Bool { context != nil }

    /// Frees the hiredis context; later calls throw `RedisError.closed`.
    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    /// Sends one command and waits for its reply.
    ///
    /// A top-level error reply is thrown as `RedisError.server` with Redis's text.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Sends one command whose arguments are raw bytes (binary-safe: NULs and any byte values).
    public func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        let reply = try exchange([arguments])[0]
        if case .error(let text) = reply { throw .server(text) }
        return reply
    }

    /// Sends several commands in one write and reads their replies in order (pipelining).
    ///
    /// Error replies come back as `.error` elements, so one failing command does not hide the
    /// others' results; only connection-level failures throw.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try exchange(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Same as `pipeline(_:)` with byte arguments.
    public func pipeline(bytes commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        try exchange(commands)
    }

    /// Queues a command without reading its reply, for a subscribed connection (`SUBSCRIBE`,
    /// then `PING`s) whose replies and pushed messages ``nextReply(within:)`` reads in order.
    public func append(_ arguments: [String]) throws(RedisError) {
        guard let context else { throw .closed("connection to \(endpoint) is closed") }
        let bytes = arguments.map { Array($0.utf8) }
        guard !bytes.isEmpty else { throw .unexpectedReply("empty command") }
        let status = Self.withArgv(bytes) { argc, argv, lengths in redisAppendCommandArgv(context, argc, argv, lengths)
        }
        if status != REDIS_OK { throw fail(context, doing: "append \(Self.name(bytes))") }
    }

    /// Sends what ``append(_:)`` queued, then returns the next reply or pushed message (Pub/Sub
    /// `message`), or `nil` when none starts arriving within `wait`. Waiting for nothing is not
    /// a failure here: `poll` watches the socket instead of a read timing out, which would leave
    /// the hiredis context unusable; a reply that has begun is read under the I/O timeout.
    public func nextReply(within wait: Duration) throws(RedisError) -> RedisReply? {
        guard let context else { throw .closed("connection to \(endpoint) is closed") }
        var written: Int32 = 0
        while written == 0 {
            if redisBufferWrite(context, &written) != REDIS_OK { throw fail(context, doing: "write") }
        }
        var raw: UnsafeMutableRawPointer?
        // A reply hiredis already holds (two messages can arrive in one read) comes first.
        if redisGetReplyFromReader(context, &raw) != REDIS_OK { throw fail(context, doing: "parse a reply") }
        if raw == nil {
            var watched = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(
                clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&watched, 1, milliseconds)
            if ready == 0 || (ready < 0 && errno == EINTR) { return nil }
            if ready < 0 { throw fail(context, doing: "poll") }
            guard redisGetReply(context, &raw) == REDIS_OK, raw != nil else {
                throw fail(context, doing: "read a pushed message")
            }
        }
        guard let raw else { return nil }
        defer { freeReplyObject(raw) }
        return RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self))
    }

    /// Appends every command to hiredis's output buffer (`redisAppendCommandArgv`, which takes
    /// explicit lengths, so no format string ever sees user data), then reads one reply each.
    private func exchange(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        guard let context else { throw .closed("connection to \(endpoint) is closed") }
        for arguments in commands {
            guard !arguments.isEmpty else { throw .unexpectedReply("empty command") }
            let status = Self.withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            if status != REDIS_OK { throw fail(context, doing: "append \(Self.name(arguments))") }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for arguments in commands {
            var raw: UnsafeMutableRawPointer?
            let status = redisGetReply(context, &raw)
            guard status == REDIS_OK, let raw else {
                throw fail(context, doing: "read reply to \(Self.name(arguments))")
            }
            replies.append(RedisReply(copying: raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    /// The funnel for connection-level failures: capture errno, describe, free the context.
    private func fail(_ context: UnsafeMutablePointer<redisContext>, doing action: String) -> RedisError {
        let savedErrno = errno
        let error =
            context.pointee.err != 0
            ? RedisError.from(context: context, savedErrno: savedErrno, doing: action)
            : RedisError.connection("\(action): hiredis failed without an error code")
        close()
        return error
    }

    /// Builds hiredis's `argc`/`argv`/`argvlen` over the argument bytes for the call's duration.
    private static func withArgv(
        _ arguments: [[UInt8]],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Int32
    ) -> Int32 {
        // Copy every argument into one contiguous block so the pointers stay valid together.
        let total = arguments.reduce(0) { $0 + $1.count }
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 1)
        defer { block.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        pointers.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        var offset = 0
        for argument in arguments {
            let slice = UnsafeMutableRawBufferPointer(rebasing: block[offset..<(offset + argument.count)])
            slice.copyBytes(from: argument)
            let start = block.baseAddress.map {
                UnsafePointer($0.advanced(by: offset).assumingMemoryBound(to: CChar.self))
            }
            pointers.append(start)
            lengths.append(argument.count)
            offset += argument.count
        }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                guard let argvBase = argv.baseAddress, let lengthBase = argvlen.baseAddress else { return REDIS_ERR }
                return body(Int32(arguments.count), argvBase, lengthBase)
            }
        }
    }

    private static func name(_ arguments: [[UInt8]]) -> String {
        arguments.first.map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
