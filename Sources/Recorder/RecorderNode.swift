import Logging
import MeshCascade
import MeshCluster

/// The recorder role, not built yet: it will pull streams over relay links like an edge and
/// write them to disk (DESIGN.md "Recorder"). Its policy says what it will be; running one
/// refuses with a sentence, as `meshcast up` skips it.
public struct RecorderNode: RoleNode {
    /// No publishers and no WHEP viewers; a leaf that pulls the streams it records; mesh only.
    /// Not built yet.
    public static let policy = RolePolicy(
        role: .recorder, acceptsPublishers: false, servesViewers: false, needsRedis: true, position: .leaf,
        drainEffect: "streams it carries keep flowing; new paths avoid it.", isBuilt: false)

    /// Neither publishers nor WHEP viewers: it consumes the streams it records.
    public static let intake: RoleIntake = .refusesClients

    let id: String

    /// A recorder for `settings`; the other parts are for when the role is built.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger) {
        id = settings.node.id
    }

    /// Refuses: the role is not built yet.
    public func run() async throws {
        throw NodeRunRefusal(
            "\(id) is a recorder, and the recorder role is not built yet; "
                + "run the origins, relays and edges, and leave recorders out for now")
    }
}
