import MeshControl

/// What this node does with a WHEP viewer placed on it: a grant made out to it, or placement
/// choosing it. Its role module provides it (``RoleIntake``); placement asks it instead of
/// asking whether the role serves viewers. A viewer that placement sends elsewhere never
/// reaches it.
public protocol ViewerIntake: Sendable {
    /// Serves a viewer of `stream` here (`.here` once `carrier` has the stream on this node),
    /// or refuses it.
    func takeViewer(of stream: String, carrier: any ViewerCarrier) async -> PlacementVerdict
}

/// How a ``ViewerIntake`` gets a stream onto this node: the coordinator's carrier joins the
/// stream's tree when the node does not carry it yet (the root never pulls: an origin has a
/// stream from its publisher or not at all).
public protocol ViewerCarrier: Sendable {
    /// `.here` once this node carries `stream`; `404` when it is not published, `503` when no
    /// path to it can be had now.
    func carryHere(_ stream: String) async -> PlacementVerdict
}

/// The intake of a role with no WHEP viewers (relays, recorders): `403`, before joining the
/// stream's tree, so the node pulls nothing for nobody. Shared, since both roles say the same.
public struct RefusesViewers: ViewerIntake {
    /// The refusal every such node answers.
    public static let refusal = PlacementVerdict.refused(
        status: 403, reason: "this node serves no viewers; watch on an edge")

    /// The refusing intake.
    public init() {}

    /// `403`.
    public func takeViewer(of stream: String, carrier: any ViewerCarrier) async -> PlacementVerdict {
        Self.refusal
    }
}
