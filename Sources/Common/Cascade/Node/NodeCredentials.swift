import Foundation
import MeshCluster

/// Secrets handed to the node as systemd credentials (`LoadCredential=`, systemd.exec(5)):
/// one file per variable the topology names, in the directory `$CREDENTIALS_DIRECTORY` names.
///
/// Credentials keep secrets out of the process environment, which every child inherits and
/// `/proc/PID/environ` shows; the files are readable by the service alone. Each file's content
/// stands for the variable of the same name, and wins over the environment: a unit that loads a
/// credential means it. One trailing newline is dropped (`echo secret > file` adds one).
public enum NodeCredentials {
    /// The environment variable systemd sets to the service's credentials directory.
    public static let directoryVariable = "CREDENTIALS_DIRECTORY"
    /// A credential file longer than this is refused: secrets and URLs are short, and a large
    /// file named like a secret is a mistake worth a clear error.
    public static let maximumBytes = 64 * 1024

    /// The variables whose value may come from a credential: those `secrets` names, and the
    /// Redis password `RedisEndpoint` reads.
    public static func variables(for secrets: SecretNames) -> [String] {
        [
            secrets.tokenSecretVariable, secrets.clusterSecretVariable, secrets.redisURLVariable,
            secrets.turnSecretVariable, secrets.postgresURLVariable, RedisEndpoint.passwordVariable,
        ].compactMap { $0 }
    }

    /// `environment` with each of `secrets`' variables replaced by its credential, when
    /// `environment[CREDENTIALS_DIRECTORY]` is set and holds a file of that name. Variables
    /// without a file keep their environment value.
    public static func environment(
        _ environment: [String: String], secrets: SecretNames
    ) throws(NodeCredentialsError) -> [String: String] {
        guard let directory = environment[directoryVariable], !directory.isEmpty else { return environment }
        var merged = environment
        for variable in variables(for: secrets) {
            if let value = try read(variable, in: directory) { merged[variable] = value }
        }
        return merged
    }

    /// The credential `name` in `directory`, `nil` when there is no such file.
    static func read(_ name: String, in directory: String) throws(NodeCredentialsError) -> String? {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard !isDirectory.boolValue else { throw .unreadable(path, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path, reason: error.localizedDescription)
        }
        guard data.count <= maximumBytes else {
            throw .unreadable(path, reason: "\(data.count) bytes, more than \(maximumBytes)")
        }
        guard var text = String(data: data, encoding: .utf8) else { throw .unreadable(path, reason: "not UTF-8") }
        if text.hasSuffix("\r\n") {
            text.removeLast()
        } else if text.hasSuffix("\n") {
            text.removeLast()
        }
        return text
    }
}

/// Why a credential could not be used.
public enum NodeCredentialsError: Error, CustomStringConvertible, Equatable {
    /// The file exists but cannot serve as a secret.
    case unreadable(String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "credential \(path) cannot be read: \(reason)"
        }
    }
}
