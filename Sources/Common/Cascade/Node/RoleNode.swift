import Logging
import MeshCluster

/// What each role module provides: the role's policy, its intake and a node that runs it. `meshcast`
/// picks the type by the topology's role, reads its ``policy`` into ``NodeSettings`` and runs it;
/// everything below the role modules consults the policy, never the role.
public protocol RoleNode {
    /// What nodes of this role do (accept publishers, serve viewers, need Redis, join trees).
    static var policy: RolePolicy { get }

    /// What nodes of this role do with the publishers and viewers that reach them; the
    /// coordinator's placement calls it (an origin claims the stream and takes its publisher).
    static var intake: RoleIntake { get }

    /// A node for `settings` (made with ``policy``) from `topology`, read from `topologyPath`
    /// (SIGHUP re-reads it; `nil` disables that), logging to `logger`.
    init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger)

    /// Runs until SIGINT or SIGTERM, then stops gracefully.
    func run() async throws
}

/// A node that refuses to run, with a sentence for the operator (a role not built yet).
public struct NodeRunRefusal: Error, CustomStringConvertible {
    /// The sentence.
    public let description: String

    /// A refusal saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
