/// One difference between the running topology and a new one, and what applying it takes.
public struct TopologyChange: Sendable, Equatable {
    /// Whether something appears, disappears or changes; rendered `+`, `-`, `~`.
    public enum Action: String, Sendable, Equatable {
        /// The thing is new.
        case add = "+"
        /// The thing goes away.
        case remove = "-"
        /// The thing stays but some of its fields change.
        case update = "~"
    }

    /// What the change is about.
    public enum Subject: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// The mesh's name (its Redis key prefix).
        case mesh
        /// A region, by name.
        case region(String)
        /// A latency table entry; the two names are in alphabetical order.
        case latency(String, String)
        /// A node, by id.
        case node(String)
        /// A relay link rule, upstream first.
        case link(from: String, to: String)
        /// The trusted proxy list.
        case trustedProxies
        /// The stream policies.
        case policies
        /// The edge options.
        case edgeOptions
        /// The names of the secrets' environment variables.
        case secrets
        /// The webhook receivers.
        case webhooks

        /// How the subject reads in a plan: `node edge-a`, `link origin-1 -> edge-b`.
        public var description: String {
            switch self {
            case .mesh: "mesh"
            case .region(let name): "region \(name)"
            case .latency(let first, let second): "latency \(first) <-> \(second)"
            case .node(let id): "node \(id)"
            case .link(let from, let to): "link \(from) -> \(to)"
            case .trustedProxies: "trusted_proxies"
            case .policies: "policies"
            case .edgeOptions: "edge"
            case .secrets: "secrets"
            case .webhooks: "webhooks"
            }
        }
    }

    /// What it takes for the mesh to pick the change up.
    public enum Rollout: Sendable, Equatable, CustomStringConvertible {
        /// Running nodes take it without dropping anything (on reload or SIGHUP).
        case live
        /// These nodes must restart: the change is to something they bind or read once at start.
        case restart([String])
        /// A new node must be started.
        case start(String)
        /// A removed node must be drained and stopped.
        case stop(String)

        /// `live`, `restart edge-a, edge-b`, `start edge-c`, `stop edge-d`.
        public var description: String {
            switch self {
            case .live: "live"
            case .restart(let ids): "restart " + ids.joined(separator: ", ")
            case .start(let id): "start \(id)"
            case .stop(let id): "drain and stop \(id)"
            }
        }
    }

    /// Added, removed or changed.
    public var action: Action
    /// What changes.
    public var subject: Subject
    /// The fields involved: every field of an added or removed thing, the differing ones of a change.
    public var fields: [FieldChange]
    /// How the change reaches the running mesh.
    public var rollout: Rollout

    /// Creates a change.
    public init(action: Action, subject: Subject, fields: [FieldChange], rollout: Rollout) {
        self.action = action
        self.subject = subject
        self.fields = fields
        self.rollout = rollout
    }
}

/// One field of a change, with its old and new value as the topology file writes them.
public struct FieldChange: Sendable, Equatable {
    /// The field's key path as in YAML: `ports`, `capacity.sessions`, `turn.tls.cert`.
    public var name: String
    /// The running value; `nil` when the field was not set.
    public var old: String?
    /// The new value; `nil` when the field is no longer set.
    public var new: String?
    /// Whether running nodes take this field without restarting.
    public var isLive: Bool

    /// Creates a field change.
    public init(name: String, old: String?, new: String?, isLive: Bool) {
        self.name = name
        self.old = old
        self.new = new
        self.isLive = isLive
    }
}
