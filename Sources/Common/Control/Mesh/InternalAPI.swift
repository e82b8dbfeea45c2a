import MeshRTC

/// The internal API as a downstream node calls it on an upstream node (`apiBase` is
/// `http://host:port` from the topology). ``InternalAPIClient`` is the real one; requests are
/// signed with the cluster secret.
public protocol InternalAPI: Sendable {
    /// `POST /internal/v1/links`.
    func openLink(apiBase: String, _ request: LinkSetupRequest) async throws(InternalAPIFailure)
        -> LinkSetupResponse
    /// `POST /internal/v1/links/{link}/subscriptions`.
    func subscribe(apiBase: String, link: String, _ request: RelaySubscriptionRequest)
        async throws(InternalAPIFailure)
    /// `DELETE /internal/v1/links/{link}/subscriptions/{stream}`.
    func unsubscribe(apiBase: String, link: String, stream: String) async throws(InternalAPIFailure)
    /// `DELETE /internal/v1/links/{link}`.
    func closeLink(apiBase: String, link: String) async throws(InternalAPIFailure)
}

/// Why an internal API call failed.
public enum InternalAPIFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer (connection refused, timeout): the node is down or unreachable.
    case unreachable(String)
    /// The node answered with an error status and this body.
    case rejected(status: Int, body: String)
    /// The node answered 2xx with a body that does not decode.
    case malformedResponse(String)

    /// A sentence for logs.
    public var description: String {
        switch self {
        case .unreachable(let reason): "unreachable: \(reason)"
        case .rejected(let status, let body): "refused with \(status): \(body)"
        case .malformedResponse(let reason): "malformed response: \(reason)"
        }
    }
}
