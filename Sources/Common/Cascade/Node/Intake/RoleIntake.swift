/// What a role does with the clients that reach its node, beside its ``RolePolicy``: its
/// ``PublisherIntake`` and ``ViewerIntake``. Each role module states its own; the node runner
/// hands it to the coordinator, whose placement calls it instead of branching on the policy.
public struct RoleIntake: Sendable {
    /// What the node does with WHIP publishers.
    public var publishers: any PublisherIntake
    /// What the node does with WHEP viewers placed on it.
    public var viewers: any ViewerIntake

    /// An intake from its two halves.
    public init(publishers: any PublisherIntake, viewers: any ViewerIntake) {
        self.publishers = publishers
        self.viewers = viewers
    }

    /// Neither publishers nor viewers (relays, recorders).
    public static let refusesClients = RoleIntake(publishers: RefusesPublishers(), viewers: RefusesViewers())
}
