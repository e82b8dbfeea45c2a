import Hummingbird
import MeshCrypto

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

    /// `nil` when `request` carries a token that grants `action` on `stream` (scoped to it, or
    /// to a pattern matching it) or an operator or admin token for it; else the refusal, as
    /// WHIP answers it (`401` with a challenge, `403` naming what the token lacks). The
    /// recorder's direct ingest takes the stream's publish token here, as a WHIP origin would.
    public func refusal(for request: Request, stream: String, action: StreamAction) -> Response? {
        do {
            _ = try authorization.authorize(request, stream: stream, action: action, orOperator: true)
            return nil
        } catch {
            return error.response
        }
    }
}
