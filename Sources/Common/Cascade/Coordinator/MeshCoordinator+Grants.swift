import MeshCluster
import MeshControl
import MeshCrypto

/// Placement grants: what a redirect hands the chosen node, signed so that only placement can
/// place a client, and good once.
extension MeshCoordinator {
    /// How long a grant (and the slot reserved with it) lasts by default: a client follows a
    /// `307` at once.
    public static let defaultGrantLifetime = Duration.seconds(5)
    /// The most grants remembered as redeemed; past it new grants are refused (503) rather than
    /// forgetting ones still inside their life, which would let them be used twice.
    static let redeemedGrantCapacity = 100_000

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
        guard let base = apiBase(of: node) else {
            return .unavailable(
                reason: "node \(node) is not in the topology", retryAfterSeconds: Self.retryAfterSeconds)
        }
        let grant = PlacementGrant(
            node: node, stream: stream, action: action, id: id, reserved: reserved,
            expiresAt: Self.wallMilliseconds() &+ UInt64(grantLifetime.components.seconds * 1000), holders: holders
        )
        do {
            return .redirect(nodeID: node, apiBase: base, grant: try grants.sign(grant))
        } catch {
            return .unavailable(reason: "could not sign a placement grant: \(error)", retryAfterSeconds: 1)
        }
    }

    /// Serves a client that brings a grant: `serve` decides once the grant proved to be this
    /// mesh's, for this node, stream and action, unexpired and unused; otherwise `403`.
    func redeem(
        _ token: String, action: StreamAction, stream: String, serve: () async -> PlacementVerdict
    ) async -> PlacementVerdict {
        let now = Self.wallMilliseconds()
        let grant: PlacementGrant
        do throws(PlacementGrantSigner.Rejection) {
            grant = try grants.verify(token, node: nodeID, stream: stream, action: action, now: now)
        } catch {
            state.withLock { $0.grantsRefused &+= 1 }
            return .refused(status: 403, reason: error.description)
        }
        let remembered = state.withLock { state in
            state.redeemedGrants.remember(grant.id, until: grant.expiresAt, now: now)
        }
        switch remembered {
        case .new:
            return await serve()
        case .seen:
            state.withLock { $0.grantsRefused &+= 1 }
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
        guard try await redirectQuota.take(id: id, holders: holders, now: Self.wallMilliseconds()) else {
            state.withLock { $0.unreservedRedirects &+= 1 }
            return nil
        }
        return holders
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
