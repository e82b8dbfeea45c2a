import ArgumentParser
import Foundation
import MeshCrypto

/// `meshcast token --stream NAME --publish|--view|--record [--ttl SECONDS]`,
/// `meshcast token --operator|--admin`: prints a signed stream token; `meshcast token revoke`
/// revokes one.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint a stream token (a JWT signed with HS256) with one role, or revoke one.",
        discussion: """
            The primary secret comes from \(secretVariable) (at least \(TokenKeyRing.minimumSecretBytes) \
            bytes); named keys for rotation from \(TokenKeyRing.environmentVariable) \
            (kid1:secret1,kid2:secret2, newest first). With named keys the token is signed with the \
            first (or --kid) and its header names it; without, with the primary secret and no kid. \
            Use `--stream '*'` for every stream, or a pattern such as `studio-*`. --operator and \
            --admin tokens are valid on every stream, last \(privilegedDefaultTTL / 60) minutes \
            unless --ttl says otherwise (at most \(privilegedMaximumTTL / 3600) hours); an operator \
            may end or ICE-restart any session and call the operator API; an admin may do anything. \
            Every token carries a subject (sub) and an id (jti), printed to standard error, by \
            which `meshcast token revoke` revokes it.
            """,
        subcommands: [TokenMintCommand.self, TokenRevokeCommand.self],
        defaultSubcommand: TokenMintCommand.self
    )

    static let secretVariable = "MESHCAST_SECRET"
    /// Operator and admin tokens last 15 minutes unless told otherwise.
    static let privilegedDefaultTTL = 900
    /// Operator and admin tokens last at most 12 hours.
    static let privilegedMaximumTTL = 12 * 3600
    /// No token `meshcast token` mints outlives the time a revocation is kept by default.
    static let maximumTTL = Int(RevocationKeep.seconds)

    /// The token keys of the environment: the primary secret and the named keys, or why not.
    static func keyRing(_ environment: [String: String]) throws(ValidationError) -> TokenKeyRing {
        let keys: [TokenKey]
        do {
            keys = try TokenKeyRing.parse(environment[TokenKeyRing.environmentVariable] ?? "")
        } catch {
            throw ValidationError(error.description)
        }
        let secret = environment[secretVariable] ?? ""
        if secret.isEmpty && keys.isEmpty {
            throw ValidationError("\(secretVariable) is not set; it holds the mesh's token secret")
        }
        if !secret.isEmpty && secret.utf8.count < TokenKeyRing.minimumSecretBytes {
            throw ValidationError(
                "\(secretVariable) is \(secret.utf8.count) bytes; it must be at least \(TokenKeyRing.minimumSecretBytes)"
            )
        }
        return TokenKeyRing(primary: Array(secret.utf8), keys: keys)
    }
}

/// How long a revocation is kept when the token's own expiry is unknown: 30 days, the longest
/// `meshcast token` mints (`RevocationRequest.defaultKeepSeconds` on the server).
enum RevocationKeep {
    static let seconds: Int64 = 30 * 24 * 3600
}

/// `meshcast token [mint] ...`: the default subcommand.
struct TokenMintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint", abstract: "Mint a token (the default: `meshcast token --view --stream S`).")

    /// The roles as mutually exclusive flags.
    enum Role: String, EnumerableFlag {
        case publish, view, record, `operator`, admin

        var action: StreamAction {
            switch self {
            case .publish: .publish
            case .view: .view
            case .record: .record
            case .operator: .operator
            case .admin: .admin
            }
        }
    }

    @Option(help: "The stream (or pattern with *) the token is for; --operator and --admin: '*', the default.")
    var stream: String?

    @Flag(help: "The token's role.")
    var action: Role

    @Option(help: "Seconds until the token expires (3600; 900 for --operator and --admin).")
    var ttl: Int?

    @Option(help: "Who the token is for (the sub claim the audit log names); $USER by default.")
    var subject: String?

    @Option(help: "Sign with this named key of MESHCAST_TOKEN_KEYS instead of the first.")
    var kid: String?

    var privileged: Bool { action == .operator || action == .admin }

    func validate() throws {
        if let ttl {
            guard ttl > 0 else { throw ValidationError("--ttl must be a positive number of seconds") }
            let cap = privileged ? TokenCommand.privilegedMaximumTTL : TokenCommand.maximumTTL
            guard ttl <= cap else {
                throw ValidationError("--ttl is at most \(cap) seconds for a --\(action.rawValue) token")
            }
        }
        if let subject, subject.isEmpty || subject.utf8.count > 128 || subject.contains(" ") {
            throw ValidationError("--subject must be 1 to 128 characters without spaces")
        }
        switch (privileged, stream) {
        case (true, nil), (true, StreamToken.anyStream?):
            break
        case (true, _?):
            throw ValidationError(
                "an --\(action.rawValue) token is valid on every stream; leave out --stream or use '*'")
        case (false, nil):
            throw ValidationError("--stream is required with --\(action.rawValue)")
        case (false, let stream?) where stream.isEmpty:
            throw ValidationError("--stream must not be empty")
        default:
            break
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var ring: TokenKeyRing
        do {
            ring = try TokenCommand.keyRing(environment)
        } catch {
            StandardError.write("error: \(error.message)")
            throw ExitCode.failure
        }
        if let kid {
            guard let key = ring.keys.first(where: { $0.id == kid }) else {
                StandardError.write("error: no key '\(kid)' in \(TokenKeyRing.environmentVariable)")
                throw ExitCode.failure
            }
            ring.keys = [key]
        }
        let now = Int64(Date().timeIntervalSince1970)
        let seconds = ttl ?? (privileged ? TokenCommand.privilegedDefaultTTL : 3600)
        let claims = StreamToken(
            stream: stream ?? StreamToken.anyStream, action: action.action, expiresAt: now + Int64(seconds),
            issuedAt: now, subject: subject ?? environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "meshcast",
            tokenID: StreamToken.newTokenID())
        let token = try claims.signed(with: ring)
        print(token)
        StandardError.write(
            "jti \(claims.tokenID ?? "-") sub \(claims.subject ?? "-") kid \(ring.signingKey?.id ?? "-") "
                + "expires \(claims.expiresAt)")
    }
}
