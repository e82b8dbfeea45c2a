import Foundation
import MeshCluster

/// The mesh's Redis as the operator commands reach it: the topology's Sentinel set, or the URL
/// from the variable the topology names (`secrets.redis`, MESHCAST_REDIS_URL by default).
enum MeshRedis {
    /// Why a command could not get a Redis client.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// A client for the topology's Sentinel set or the URL in `environment`; `nil` for a
    /// standalone server whose variable is unset or empty.
    static func client(for topology: Topology, environment: [String: String]) throws(Unusable) -> RedisClient? {
        let variable = topology.secrets.redisURLVariable
        let url = environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        guard url != nil || topology.redis?.mode == .sentinel else { return nil }
        do {
            let target = try RedisTarget(settings: topology.redis, url: url, environment: environment)
            // One attempt per command is enough for an operator's tool: no long back-off.
            return RedisClient(target: target, configuration: .init(connectTimeout: .seconds(2)))
        } catch {
            throw Unusable(description: "\(variable): \(error.description)")
        }
    }
}
