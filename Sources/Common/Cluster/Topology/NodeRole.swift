/// What a node does in the mesh; each role is a separate composition of the common layers.
public enum NodeRole: String, Sendable, Equatable, CaseIterable, Codable {
    /// Terminates publishers (WHIP) and is the root of every stream's relay tree.
    case origin
    /// Has no WebRTC clients; fans streams out to other relays, edges and recorders.
    case relay
    /// Terminates viewers (WHEP) close to them and runs the integrated TURN server.
    case edge
    /// Pulls streams over relay links and writes them to disk.
    case recorder
}
