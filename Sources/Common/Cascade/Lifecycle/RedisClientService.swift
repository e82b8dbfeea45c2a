import MeshCluster
import ServiceLifecycle

/// The Redis client as a service: first in the group, so shut last: the announcer's withdrawal
/// and the coordinator's placements still talk to Redis until their own turns end.
struct RedisClientService: Service {
    let redis: RedisClient

    func run() async throws {
        try? await gracefulShutdown()
        await redis.shutdown()
    }
}
