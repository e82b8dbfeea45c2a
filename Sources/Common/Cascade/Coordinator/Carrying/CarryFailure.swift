import MeshControl

/// Why this node could not get a stream's tracks.
enum CarryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No origin publishes the stream (or its origin is this node and the publisher is gone).
    case unknownStream(String)
    /// Not now: Redis away without a record, no path, every upstream tried failed.
    case unavailable(String)
    /// An upstream did not answer (connection refused, timeout): try another and leave it out
    /// of new paths for a while.
    case unreachable(node: String, reason: String)

    var description: String {
        switch self {
        case .unknownStream(let name): "stream '\(name)' is not published anywhere"
        case .unavailable(let reason): reason
        case .unreachable(let node, let reason): "upstream \(node) is unreachable: \(reason)"
        }
    }

    /// The internal API's form.
    var internalRequestError: InternalRequestError {
        switch self {
        case .unknownStream(let name): .unknownStream(name)
        case .unavailable(let reason): .unavailable(reason)
        case .unreachable: .unavailable(description)
        }
    }
}
