import ArgumentParser
import Foundation
import MeshCluster
import MeshCrypto

/// `meshcast token revoke JTI|TOKEN [--until SECONDS] [--topology FILE]`: revokes a token in the
/// mesh's Redis, where every node's copy picks it up within a second.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token by its id (jti) on every node of the mesh.",
        discussion: """
            Give the jti that `meshcast token` printed, or the token itself (checked with \
            MESHCAST_SECRET and MESHCAST_TOKEN_KEYS; its jti and expiry are read from it). The \
            revocation is kept until the token's expiry, or --until, or 30 days (the longest \
            `meshcast token` mints). Redis comes from the variable the topology names, or \
            MESHCAST_REDIS_URL without --topology. Exit status 0 once Redis holds it.
            """)

    @Argument(help: "The token id (jti), or the whole token.")
    var token: String

    @Option(help: "Keep the revocation until this time (seconds since 1970).")
    var until: Int64?

    @Option(help: "The topology file whose Redis URL variable to read.")
    var topology: String?

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970)
        var jti = token
        var expiresAt = until ?? now + RevocationKeep.seconds
        if token.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            let claims: StreamToken
            do {
                let ring = try TokenCommand.keyRing(ProcessInfo.processInfo.environment)
                claims = try StreamTokenVerifier(keys: ring).verify(token)
            } catch let error as ValidationError {
                StandardError.write("meshcast token revoke: \(error.message)")
                throw ExitCode.failure
            } catch {
                StandardError.write("meshcast token revoke: cannot read the token: \(error)")
                throw ExitCode.failure
            }
            guard let id = claims.tokenID else {
                StandardError.write(
                    "meshcast token revoke: the token has no jti (it was minted before tokens had ids): "
                        + "it stays valid until it expires at \(claims.expiresAt), or change the secret")
                throw ExitCode.failure
            }
            jti = id
            expiresAt = until ?? claims.expiresAt
        }
        guard (1...128).contains(jti.utf8.count), jti.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            StandardError.write("meshcast token revoke: a jti is 1 to 128 printable ASCII characters")
            throw ExitCode(64)
        }
        let client = try MeshRedis.operatorClient(command: "meshcast token revoke", topology: topology)
        do {
            try await TokenRevocations(redis: client).revoke(jti, expiresAt: expiresAt, now: now)
        } catch {
            await MeshRedis.audit("token.revoke", target: "token/\(jti)", result: "failed: \(error)", to: client)
            await client.shutdown()
            StandardError.write("meshcast token revoke: cannot reach Redis at \(client.endpoint): \(error)")
            throw ExitCode.failure
        }
        await MeshRedis.audit("token.revoke", target: "token/\(jti)", result: "ok", to: client)
        await client.shutdown()
        print("revoked \(jti) until \(expiresAt); every node refuses it within a second")
    }
}
