import CLibPQ
import Foundation

/// Every way a PostgreSQL call can fail: the one funnel that turns a libpq failure into a
/// Swift error.
///
/// `server` carries the SQLSTATE (the five-character code of PostgreSQL's Appendix A, such as
/// `23505` unique_violation or `42601` syntax_error) and the server's own message, so callers
/// branch on the code and logs show the text. `isConnectionFailure` tells the client to drop
/// the connection and reconnect.
public enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection could not be made or broke.
    case connection(String)
    /// The server answered with an error: its SQLSTATE and message.
    case server(sqlState: String, message: String)
    /// The server did not answer within the configured I/O timeout (the connection is dropped).
    case timeout(String)
    /// The client was shut down, or is still (re)connecting.
    case closed(String)
    /// A row value was missing or not of the type asked for.
    case decoding(String)

    /// True when the connection is unusable and the client should reconnect.
    public var isConnectionFailure: Bool {
        switch self {
        case .connection, .timeout, .closed: true
        case .server(let state, _):
            // Class 08 is "connection exception"; 57P01-57P03 are an admin shutdown, a crash
            // shutdown and "cannot connect now" (a server starting or stopping).
            state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
        case .decoding: false
        }
    }

    /// The SQLSTATE of a server error, nil for every other kind.
    public var sqlState: String? {
        if case .server(let state, _) = self { return state }
        return nil
    }

    /// The error text, prefixed with its kind.
    public var description: String {
        switch self {
        case .connection(let text): "postgres connection: \(text)"
        case .server(let state, let message): "postgres server: \(message) (SQLSTATE \(state))"
        case .timeout(let text): "postgres timeout: \(text)"
        case .closed(let text): "postgres closed: \(text)"
        case .decoding(let text): "postgres row: \(text)"
        }
    }

    /// The text libpq holds for the connection's last failure, trimmed.
    static func connectionText(_ connection: OpaquePointer?) -> String {
        guard let connection, let text = PQerrorMessage(connection) else { return "no connection" }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? "unknown libpq failure" : message
    }

    /// Reads a finished result: nil when it succeeded, else the error it carries. A result
    /// without SQLSTATE (libpq made it up locally, e.g. after the socket broke) is a connection
    /// failure.
    static func from(result: OpaquePointer?, connection: OpaquePointer?) -> PostgresError? {
        guard let result else { return .connection(connectionText(connection)) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return nil
        default:
            let message = field(result, diagnosticMessage) ?? String(cString: PQresultErrorMessage(result))
            guard let state = field(result, diagnosticSQLState) else {
                return .connection(message.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            return .server(sqlState: state, message: message)
        }
    }

    // libpq's PG_DIAG_SQLSTATE ('C') and PG_DIAG_MESSAGE_PRIMARY ('M'), character macros.
    private static let diagnosticSQLState = Int32(UInt8(ascii: "C"))
    private static let diagnosticMessage = Int32(UInt8(ascii: "M"))

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let text = PQresultErrorField(result, code) else { return nil }
        return String(cString: text)
    }
}
