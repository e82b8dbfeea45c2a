import Logging
import MeshCluster

/// Takes nodes whose relay links fell silent out of placement before their registry entry
/// expires.
struct PeerLiveness: Sendable {
    /// This node's id.
    let nodeID: String
    let redis: RedisClient
    let registry: NodeRegistry
    let logger: Logger

    /// A relay link with `peer` heard nothing for a second. If `peer` has also stopped
    /// refreshing its registry entry, its process is gone: it leaves the registry now, with its
    /// pending reservations, instead of when the entry expires. A peer that still refreshes is
    /// kept: only the link is in trouble, and the link's own timeouts deal with that.
    func linkWentSilent(_ link: String, peer: String) async {
        // Without Redis the entry expires by itself; placement waits for Redis anyway.
        guard peer != nodeID, redis.isAvailable else { return }
        do throws(RedisError) {
            switch try await registry.evict(id: peer) {
            case .evicted:
                logger.notice("mesh: \(peer) fell silent on link \(link) and stopped heartbeating: placement drops it")
            case .refreshedLately:
                logger.info("mesh: link \(link) with \(peer) is silent, but \(peer) still heartbeats: kept")
            case .unknown:
                break
            }
        } catch {
            logger.debug("mesh: could not check \(peer) after link \(link) fell silent: \(error)")
        }
    }
}
