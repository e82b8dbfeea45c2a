/// Why a stream token was refused. MeshControl maps `malformed`, `badSignature`,
/// `unsupportedAlgorithm`, `unknownKey`, `expired` and `revoked` to 401 and
/// `wrongStream`/`wrongAction` to 403.
public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a JWS compact serialization with a JSON header and claims we can read; says what.
    case malformed(String)
    /// The HMAC-SHA256 signature does not match (RFC 7515 §5.2 step 10).
    case badSignature
    /// The header's `alg` is not `HS256` (`none` included), or it names `crit` extensions.
    case unsupportedAlgorithm(String)
    /// The header's `kid` names no key this node holds (removed after a rotation, or never added).
    case unknownKey(String)
    /// `exp` is not after the current time (RFC 7519 §4.1.4).
    case expired
    /// The token's `jti` was revoked.
    case revoked
    /// The token is for another stream.
    case wrongStream
    /// The token grants another action.
    case wrongAction

    /// A sentence for an HTTP body, a `WWW-Authenticate` description and the log.
    public var description: String {
        switch self {
        case .malformed(let why): "malformed token: \(why)"
        case .badSignature: "bad token signature"
        case .unsupportedAlgorithm(let alg): "unsupported token algorithm \(alg), only HS256 is accepted"
        case .unknownKey(let kid): "unknown token key id \(kid)"
        case .expired: "token expired"
        case .revoked: "token revoked"
        case .wrongStream: "token is not valid for this stream"
        case .wrongAction: "token does not grant this action"
        }
    }
}
