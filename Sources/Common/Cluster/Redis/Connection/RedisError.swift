import CHiredis
import Glibc

/// Every way a Redis call can fail; the one funnel that turns a hiredis failure into a Swift error.
///
/// Callers that only need "is Redis usable" ask `isConnectionFailure`: those errors mean the
/// connection is gone (the client reconnects), while `server` is an answer on a healthy link.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made or broke (I/O error, end of file, refused, unreachable).
    case connection(String)
    /// The bytes from the server were not RESP, or hiredis ran out of memory parsing them.
    case protocolViolation(String)
    /// The server answered with an error reply; the text is Redis's own (`ERR ...`, `NOSCRIPT ...`).
    case server(String)
    /// Connecting, reading or writing took longer than the configured timeout.
    case timeout(String)
    /// The connection was closed earlier (by us, or after a failure) or is still being re-made.
    case closed(String)
    /// The Redis URL is not `redis://host[:port][/db]` or `unix:///path`.
    case invalidURL(String)
    /// A well-formed reply of a shape this caller did not expect (a registry decoding a value).
    case unexpectedReply(String)

    /// True when the connection is unusable and the client should reconnect.
    /// An answer that means the server is no longer (or not yet) the master a client should
    /// write to: a demoted master (`READONLY`), one loading its data (`LOADING`), or one whose
    /// replication link is down (`MASTERDOWN`). The client reconnects, asking the sentinels.
    public var isFailoverSignal: Bool {
        guard case .server(let text) = self else { return false }
        return text.hasPrefix("READONLY") || text.hasPrefix("LOADING") || text.hasPrefix("MASTERDOWN")
    }

    public var isConnectionFailure: Bool {
        switch self {
        case .connection, .protocolViolation, .timeout, .closed: true
        case .server, .invalidURL, .unexpectedReply: false
        }
    }

    /// The error text, prefixed with its kind.
    public var description: String {
        switch self {
        case .connection(let text): "redis connection: \(text)"
        case .protocolViolation(let text): "redis protocol: \(text)"
        case .server(let text): "redis server: \(text)"
        case .timeout(let text): "redis timeout: \(text)"
        case .closed(let text): "redis closed: \(text)"
        case .invalidURL(let text): "redis URL: \(text)"
        case .unexpectedReply(let text): "redis reply: \(text)"
        }
    }

    /// Reads the failure a hiredis context reports (`c->err`, `c->errstr`).
    ///
    /// `savedErrno` must be read right after the failing call: hiredis reports timeouts as
    /// `REDIS_ERR_IO` with `errno` set to `EAGAIN` (read/write) or `ETIMEDOUT` (connect).
    static func from(context: UnsafePointer<redisContext>, savedErrno: Int32, doing action: String) -> RedisError {
        let text = "\(action): \(errorText(of: context))"
        switch context.pointee.err {
        case REDIS_ERR_IO:
            if savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT {
                return .timeout(text)
            }
            return .connection(text)
        case REDIS_ERR_EOF:
            return .connection(text)
        case REDIS_ERR_PROTOCOL, REDIS_ERR_OOM:
            return .protocolViolation(text)
        default:
            return .connection(text)
        }
    }

    /// `errstr` is a fixed `char[128]` that Swift imports as a tuple; read it up to its NUL.
    private static func errorText(of context: UnsafePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
