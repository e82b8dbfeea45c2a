import ArgumentParser
import Foundation
import MeshCrypto

/// `meshcast token --stream NAME --publish|--view [--ttl SECONDS]` or `meshcast token --operator`:
/// prints a signed stream token.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a stream token (a JWT signed with HS256) for WHIP publishing, WHEP viewing or operators.",
        discussion: """
            The secret comes from the environment variable \(secretVariable) and must be at \
            least \(minimumSecretBytes) bytes. Use `--stream '*'` for a token valid on every stream. \
            An --operator token is valid on every stream and may end (DELETE) or ICE-restart (PATCH) \
            any publisher's or viewer's session; it cannot publish or view.
            """
    )

    static let secretVariable = "MESHCAST_SECRET"
    static let minimumSecretBytes = 16

    /// The actions as mutually exclusive flags: `--publish`, `--view` or `--operator`.
    enum Action: String, EnumerableFlag {
        case publish, view, `operator`

        var streamAction: StreamAction {
            switch self {
            case .publish: .publish
            case .view: .view
            case .operator: .operator
            }
        }
    }

    @Option(help: "The stream the token is for, or '*' for every stream (--operator: '*', the default).")
    var stream: String?

    @Flag(help: "What the token allows.")
    var action: Action

    @Option(help: "Seconds until the token expires.")
    var ttl: Int = 3600

    func validate() throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be a positive number of seconds") }
        switch (action, stream) {
        case (.operator, nil), (.operator, StreamToken.anyStream?):
            break
        case (.operator, _?):
            throw ValidationError("an --operator token is valid on every stream; leave out --stream or use '*'")
        case (_, nil):
            throw ValidationError("--stream is required with --\(action.rawValue)")
        case (_, let stream?) where stream.isEmpty:
            throw ValidationError("--stream must not be empty")
        default:
            break
        }
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
            stream: stream ?? StreamToken.anyStream, action: action.streamAction, ttl: .seconds(ttl),
            secret: Array(secret.utf8))
        print(token)
    }
}
