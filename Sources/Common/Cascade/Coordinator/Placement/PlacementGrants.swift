import MeshCluster
import MeshControl
import MeshCrypto
import Synchronization

/// Placement grants: what a redirect hands the chosen node, signed so that only placement can
/// place a client, and good once. Issues them (with the client's unfollowed-redirect counts),
/// redeems the ones clients bring, and releases what a grant held once its client arrived.
final class PlacementGrants: Sendable {
    /// The most grants remembered as redeemed; past it new grants are refused (503) rather than
    /// forgetting ones still inside their life, which would let them be used twice.
    static let redeemedGrantCapacity = 100_000

    /// What the grants remember, and their figures for `/metrics`.
    struct Memory: Sendable {
        /// Placement grants served here, remembered until they expire.
        var redeemed = RedeemedGrants(capacity: PlacementGrants.redeemedGrantCapacity)
        /// Grants refused (forged, misdirected, expired, reused).
        var refused: UInt64 = 0
        /// Viewers placed without a reserved slot because their client held too many
        /// unfollowed redirects.
        var unreservedRedirects: UInt64 = 0
    }

    /// This node's id.
    let nodeID: String
    /// Signs the grants this node's redirects carry and checks the ones clients bring.
    let signer: PlacementGrantSigner
    /// How long a grant, the slot reserved with it and its count against the client last.
    let lifetime: Duration
    let topology: TopologyInForce
    let reservations: CapacityReservation
    let redirectQuota: RedirectQuota
    private let memory = Mutex(Memory())

    init(
        nodeID: String, signer: PlacementGrantSigner, lifetime: Duration, topology: TopologyInForce,
        reservations: CapacityReservation, redirectQuota: RedirectQuota
    ) {
        self.nodeID = nodeID
        self.signer = signer
        self.lifetime = lifetime
        self.topology = topology
        self.reservations = reservations
        self.redirectQuota = redirectQuota
    }

    /// Grants refused, and viewers redirected without a reserved slot, for `/metrics`.
    var figures: (refused: UInt64, unreservedRedirects: UInt64) {
        memory.withLock { ($0.refused, $0.unreservedRedirects) }
    }

    /// A fresh grant id: 128 random bits in hex.
    static func grantID() -> String {
        var generator = SystemRandomNumberGenerator()
        return [generator.next() as UInt64, generator.next() as UInt64].map { value in
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }

    /// A `307` to `node` carrying a signed grant for `stream` and `action`.
    func redirect(
        to node: String, stream: String, action: StreamAction, id: String, reserved: Bool = false,
        holders: [String] = []
    ) -> PlacementVerdict {
        guard let base = topology.apiBase(of: node) else {
            return .unavailable(
                reason: "node \(node) is not in the topology", retryAfterSeconds: ClientPlacement.retryAfterSeconds)
        }
        let grant = PlacementGrant(
            node: node, stream: stream, action: action, id: id, reserved: reserved,
            expiresAt: WallClock.milliseconds() &+ UInt64(lifetime.components.seconds * 1000), holders: holders
        )
        do {
            return .redirect(nodeID: node, apiBase: base, grant: try signer.sign(grant))
        } catch {
            return .unavailable(reason: "could not sign a placement grant: \(error)", retryAfterSeconds: 1)
        }
    }

    /// Serves a client that brings a grant: `serve` decides once the grant proved to be this
    /// mesh's, for this node, stream and action, unexpired and unused; otherwise `403`.
    func redeem(
        _ token: String, action: StreamAction, stream: String, serve: () async -> PlacementVerdict
    ) async -> PlacementVerdict {
        let now = WallClock.milliseconds()
        let grant: PlacementGrant
        do throws(PlacementGrantSigner.Rejection) {
            grant = try signer.verify(token, node: nodeID, stream: stream, action: action, now: now)
        } catch {
            memory.withLock { $0.refused &+= 1 }
            return .refused(status: 403, reason: error.description)
        }
        let remembered = memory.withLock { memory in
            memory.redeemed.remember(grant.id, until: grant.expiresAt, now: now)
        }
        switch remembered {
        case .new:
            return await serve()
        case .seen:
            memory.withLock { $0.refused &+= 1 }
            return .refused(status: 403, reason: PlacementGrantSigner.Rejection.reused.description)
        case .full:
            return .unavailable(reason: "too many placements at once", retryAfterSeconds: 1)
        }
    }

    /// The client's unfollowed-redirect counts that now hold grant `id` (its `address` and its
    /// `token`), or `nil` when either is at its limit: then nothing may be reserved for it.
    func redirectHolders(address: String?, token: String?, id: String) async throws(RedisError) -> [String]? {
        var holders: [String] = []
        if let address { holders.append(RedirectQuota.holder(address: address)) }
        if let token, let digest = try? Digest.hash(.sha256, Array(token.utf8)) {
            // Half of the token's SHA-256: enough to count by, useless to anyone who reads Redis.
            holders.append(RedirectQuota.holder(tokenDigest: digest.prefix(16).map(Self.hexByte).joined()))
        }
        guard !holders.isEmpty else { return [] }
        guard try await redirectQuota.take(id: id, holders: holders, now: WallClock.milliseconds()) else {
            memory.withLock { $0.unreservedRedirects &+= 1 }
            return nil
        }
        return holders
    }

    /// Gives back the counts `holders` took for grant `id`, whose redirect was never made.
    func releaseHolders(id: String, holders: [String]) async throws(RedisError) {
        try await redirectQuota.release(id: id, holders: holders)
    }

    /// Releases what a viewer's grant held: its reserved slot on this node and its place in
    /// the client's unfollowed-redirect counts.
    func viewerArrived(grant: String?) async {
        guard let grant = grant.flatMap(PlacementGrantSigner.unverifiedGrant), grant.node == nodeID else { return }
        // An unreleased reservation expires by itself; a failure here costs a slot for seconds.
        if grant.reserved { _ = try? await reservations.release(node: nodeID, token: grant.id) }
        try? await redirectQuota.release(id: grant.id, holders: grant.holders)
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
