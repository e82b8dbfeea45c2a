import ArgumentParser
import Foundation
import MeshCrypto

/// `meshcast token --stream NAME --publish|--view [--ttl SECONDS]`: prints a signed stream token.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a stream token (a JWT signed with HS256) for WHIP publishing or WHEP viewing.",
        discussion: """
            The secret comes from the environment variable \(secretVariable) and must be at \
            least \(minimumSecretBytes) bytes. Use `--stream '*'` for a token valid on every stream.
            """
    )

    static let secretVariable = "MESHCAST_SECRET"
    static let minimumSecretBytes = 16

    /// The two actions as mutually exclusive flags: `--publish` or `--view`.
    enum Action: String, EnumerableFlag {
        case publish, view

        var streamAction: StreamAction {
            switch self {
            case .publish: .publish
            case .view: .view
            }
        }
    }

    @Option(help: "The stream the token is for, or '*' for every stream.")
    var stream: String

    @Flag(help: "What the token allows.")
    var action: Action

    @Option(help: "Seconds until the token expires.")
    var ttl: Int = 3600

    func validate() throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be a positive number of seconds") }
        guard !stream.isEmpty else { throw ValidationError("--stream must not be empty") }
    }

    func run() throws {
        guard let secret = ProcessInfo.processInfo.environment[Self.secretVariable], !secret.isEmpty else {
            StandardError.write("error: \(Self.secretVariable) is not set; it holds the mesh's token secret")
            throw ExitCode.failure
        }
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            StandardError.write(
                "error: \(Self.secretVariable) is \(secret.utf8.count) bytes; it must be at least \(Self.minimumSecretBytes)"
            )
            throw ExitCode.failure
        }
        let token = try StreamToken.mint(
            stream: stream, action: action.streamAction, ttl: .seconds(ttl), secret: Array(secret.utf8))
        print(token)
    }
}
