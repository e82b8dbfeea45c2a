import Foundation

/// The topology the operator applied, as the mesh stores it: its canonical JSON
/// (``TopologyJSON``) under the Redis key `topology`. `meshcast topology apply` writes it;
/// nodes poll it and follow it.
public enum PublishedTopology {
    /// The Redis key.
    public static let key = "topology"

    /// Stores `topology`'s canonical JSON.
    public static func publish(_ topology: Topology, to client: RedisClient) async throws {
        let json = try TopologyJSON.encode(topology)
        _ = try await client.command(bytes: [Array("SET".utf8), Array(key.utf8), Array(json)])
    }

    /// The raw JSON stored now, or `nil` when nothing was applied yet.
    public static func fetchJSON(from client: RedisClient) async throws(RedisError) -> String? {
        try await client.command(["GET", key]).string
    }

    /// The applied topology, or `nil` when nothing was applied yet; throws when the stored
    /// JSON does not decode (written by an incompatible build).
    public static func fetch(from client: RedisClient) async throws -> Topology? {
        guard let json = try await fetchJSON(from: client) else { return nil }
        return try TopologyJSON.decode(Data(json.utf8))
    }
}
