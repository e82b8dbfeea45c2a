import ArgumentParser
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
        guard url != nil || (topology.redis?.mode ?? .standalone) != .standalone else { return nil }
        return try client(settings: topology.redis, url: url, variable: variable, environment: environment)
    }

    /// A client for the URL in `environment[variable]`, or `nil` when it is unset or empty.
    static func client(variable: String, environment: [String: String]) throws(Unusable) -> RedisClient? {
        guard let url = environment[variable], !url.isEmpty else { return nil }
        return try client(settings: nil, url: url, variable: variable, environment: environment)
    }

    private static func client(
        settings: RedisSettings?, url: String?, variable: String, environment: [String: String]
    ) throws(Unusable) -> RedisClient {
        do {
            let target = try RedisTarget(settings: settings, url: url, environment: environment)
            // One attempt per command is enough for an operator's tool: no long back-off.
            return RedisClient(target: target, configuration: .init(connectTimeout: .seconds(2)))
        } catch {
            throw Unusable(description: "\(variable): \(error.description)")
        }
    }

    /// The client for an operator command: the Redis `topology` uses when a file is given
    /// (its Sentinel set, or the URL in the variable it names), else MESHCAST_REDIS_URL; prints
    /// why not and fails otherwise.
    static func operatorClient(command: String, topology path: String?) throws -> RedisClient {
        var variable = SecretNames.defaultRedisURLVariable
        var topology: Topology?
        if let path {
            guard let loaded = TopologyPlanCommand.load(path) else { throw ExitCode.failure }
            variable = loaded.secrets.redisURLVariable
            topology = loaded
        }
        let environment = ProcessInfo.processInfo.environment
        do {
            let found =
                try topology.map { topology throws(Unusable) in try client(for: topology, environment: environment) }
                ?? client(variable: variable, environment: environment)
            guard let client = found else {
                StandardError.write("\(command): \(variable) is not set: the command needs the mesh's Redis URL")
                throw ExitCode.failure
            }
            return client
        } catch let error as Unusable {
            StandardError.write("\(command): \(error)")
            throw ExitCode.failure
        }
    }

    /// The audit actor of a command run on this machine: `cli:<user>`.
    static var commandActor: String {
        "cli:" + (ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")
    }

    /// Appends a command's audit record; a failure is printed, never fatal (the change is made).
    static func audit(_ action: String, target: String, result: String, to client: RedisClient) async {
        let record = AuditRecord(
            time: Int64(Date().timeIntervalSince1970 * 1000), actor: commandActor, keyID: "-", action: action,
            target: target, client: "local", requestID: String(UInt64.random(in: 0...UInt64.max), radix: 16),
            result: result, node: "cli")
        do {
            try await AuditLog.append(record, to: client)
        } catch {
            StandardError.write("warning: the audit record of \(action) could not be written: \(error)")
        }
    }
}
