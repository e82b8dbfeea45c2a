import Foundation
import MeshCluster
import Testing

@testable import MeshCascade

/// Secrets from systemd credentials (systemd.exec(5) "Credentials": one file per credential in
/// `$CREDENTIALS_DIRECTORY`), as `deploy/systemd/meshcast@.service` hands them to a node.
@Suite struct NodeCredentialsTests {
    let secrets = SecretNames(
        clusterSecretVariable: "MESHCAST_CLUSTER_SECRET", tokenSecretVariable: "MESHCAST_SECRET",
        turnSecretVariable: "MESHCAST_TURN_SECRET")

    /// A fresh directory holding `files` (name → bytes).
    func directory(_ files: [String: [UInt8]]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credentials-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
        }
        return path
    }

    @Test func withoutTheDirectoryTheEnvironmentIsUsedAsItIs() throws {
        let environment = ["MESHCAST_SECRET": "from-the-environment", "PATH": "/usr/bin"]
        #expect(try NodeCredentials.environment(environment, secrets: secrets) == environment)
    }

    @Test func credentialFilesWinAndLoseOneTrailingNewline() throws {
        let path = try directory([
            "MESHCAST_SECRET": Array("token-secret-0123456789\n".utf8),
            "MESHCAST_CLUSTER_SECRET": Array("cluster-secret-0123456789\r\n".utf8),
            "MESHCAST_REDIS_URL": Array("redis://10.0.0.5:6379".utf8),
            "MESHCAST_REDIS_PASSWORD": Array("two newlines\n\n".utf8),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = try NodeCredentials.environment(
            ["CREDENTIALS_DIRECTORY": path, "MESHCAST_SECRET": "stale", "MESHCAST_TURN_SECRET": "kept"],
            secrets: secrets)
        #expect(merged["MESHCAST_SECRET"] == "token-secret-0123456789")
        #expect(merged["MESHCAST_CLUSTER_SECRET"] == "cluster-secret-0123456789")
        #expect(merged["MESHCAST_REDIS_URL"] == "redis://10.0.0.5:6379")
        #expect(merged["MESHCAST_REDIS_PASSWORD"] == "two newlines\n")
        // No file: the environment's value stays.
        #expect(merged["MESHCAST_TURN_SECRET"] == "kept")
    }

    @Test func onlyTheVariablesTheTopologyNamesAreRead() throws {
        let path = try directory(["MESHCAST_ICE_SERVERS": Array("stun:example.org".utf8)])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let merged = try NodeCredentials.environment(["CREDENTIALS_DIRECTORY": path], secrets: secrets)
        #expect(merged["MESHCAST_ICE_SERVERS"] == nil)
    }

    @Test func unusableFilesAreClearErrors() throws {
        let path = try directory([
            "MESHCAST_SECRET": [0xFF, 0xFE, 0x00],
            "MESHCAST_CLUSTER_SECRET": [UInt8](repeating: 0x61, count: NodeCredentials.maximumBytes + 1),
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: NodeCredentialsError.unreadable("\(path)/MESHCAST_SECRET", reason: "not UTF-8")) {
            try NodeCredentials.read("MESHCAST_SECRET", in: path)
        }
        #expect(
            throws: NodeCredentialsError.unreadable(
                "\(path)/MESHCAST_CLUSTER_SECRET", reason: "65537 bytes, more than 65536")
        ) {
            try NodeCredentials.read("MESHCAST_CLUSTER_SECRET", in: path)
        }
        try FileManager.default.createDirectory(
            atPath: "\(path)/MESHCAST_REDIS_URL", withIntermediateDirectories: false)
        #expect(throws: NodeCredentialsError.unreadable("\(path)/MESHCAST_REDIS_URL", reason: "it is a directory")) {
            try NodeCredentials.read("MESHCAST_REDIS_URL", in: path)
        }
    }
}
