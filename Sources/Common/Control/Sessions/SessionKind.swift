import MeshCrypto
import MeshRTC

/// WHIP (RFC 9725) or WHEP: the two session resources share their mechanics and differ in
/// path, token action and engine call.
enum SessionKind: String, Sendable, CaseIterable {
    case whip, whep

    /// The token action the resource needs.
    var action: StreamAction {
        switch self {
        case .whip: .publish
        case .whep: .view
        }
    }

    /// The `kind` label of `meshcast_sessions` and of the logs.
    var role: String {
        switch self {
        case .whip: "publisher"
        case .whep: "viewer"
        }
    }

    /// The session at `/whip|whep/{stream}/{session}`: the engine finds it only if it was
    /// created for this stream and as this kind's role.
    func address(stream: String, session: String) -> SessionAddress {
        SessionAddress(id: session, stream: stream, role: self == .whip ? .publisher : .viewer)
    }

    /// `/whip/{stream}`.
    func resourcePath(stream: String) -> String { "/\(rawValue)/\(stream)" }

    /// `/whip/{stream}/{session}`.
    func sessionPath(stream: String, session: String) -> String { "/\(rawValue)/\(stream)/\(session)" }
}
