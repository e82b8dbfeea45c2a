import Foundation
import MeshCluster

/// The mesh's Redis as the operator commands reach it: the URL from the variable the topology
/// names (`secrets.redis`, MESHCAST_REDIS_URL by default).
enum MeshRedis {
    /// Why a command could not get a Redis client.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// A client for the URL in `environment`, or `nil` when the variable is unset or empty.
    static func client(for topology: Topology, environment: [String: String]) throws(Unusable) -> RedisClient? {
        let variable = topology.secrets.redisURLVariable
        guard let url = environment[variable], !url.isEmpty else { return nil }
        do {
            let endpoint = try RedisEndpoint(url: url, environment: environment)
            // One attempt per command is enough for an operator's tool: no long back-off.
            return RedisClient(endpoint: endpoint, configuration: .init(connectTimeout: .seconds(2)))
        } catch {
            throw Unusable(description: "\(variable): \(error.description)")
        }
    }
}
