import Hummingbird

/// The operator API's token check for routes a role adds (the recorder's `/v1/recordings`):
/// the same as the node's own operator endpoints, so a role cannot drift from them. An operator
/// or admin token for every stream, with a `jti`, under any key of the node's ring, and not
/// revoked.
public struct OperatorGate: Sendable {
    let authorization: BearerAuthorization

    /// `nil` when `request` may call the operator API, else the answer to refuse it with (`401`
    /// with a challenge, or `403` naming what the token lacks).
    public func refusal(for request: Request) -> Response? {
        do {
            _ = try authorization.authorizeOperator(request)
            return nil
        } catch {
            return error.response
        }
    }
}
