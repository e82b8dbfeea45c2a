import Foundation
import MeshCluster
import MeshTestSupport
import Testing

/// `meshcast token` with roles and keys, `meshcast token revoke` and `meshcast audit` on a real
/// Redis (issue 15, items 3 and 5).
@Suite struct TokenRoleCommandTests {
    static let secret = TokenCommandTests.secret
    static let keys = "k2:the second key of 32 bytes ok,k1:the first key of 32 bytes ok!"

    /// The JOSE header of a compact JWS (RFC 7515 §7.1).
    static func header(_ token: String) throws -> [String: Any] {
        let part = try #require(token.split(separator: ".").first)
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func mint(_ arguments: [String], keys: String? = nil) throws -> (token: String, stderr: String) {
        let outcome = try MeshcastBinary.run(
            ["token"] + arguments, environment: ["MESHCAST_SECRET": secret, "MESHCAST_TOKEN_KEYS": keys])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return (outcome.standardOutput.trimmingCharacters(in: .newlines), outcome.standardError)
    }

    @Test func everyRoleIsMintedWithASubjectAndAnID() throws {
        for (arguments, role) in [
            (["--record", "--stream", "studio-*"], "record"), (["--admin"], "admin"), (["--operator"], "operator"),
            (["--view", "--stream", "lobby"], "view"), (["--publish", "--stream", "lobby"], "publish"),
        ] {
            let (token, stderr) = try Self.mint(arguments + ["--subject", "alice"])
            let claims = try TokenCommandTests.claims(token)
            #expect(claims["action"] as? String == role)
            #expect(claims["sub"] as? String == "alice")
            let jti = try #require(claims["jti"] as? String)
            #expect(jti.count == 32 && stderr.contains("jti \(jti)"))
            let lifetime = try #require(claims["exp"] as? Int) - (try #require(claims["iat"] as? Int))
            #expect(lifetime == (role == "operator" || role == "admin" ? 900 : 3600))
            #expect(try Self.header(token)["kid"] == nil)
        }
    }

    @Test func operatorTokensAreShortLived() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--admin", "--ttl", "86400"], environment: ["MESHCAST_SECRET": Self.secret])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("at most 43200"))
    }

    @Test func namedKeysSignWithTheFirstOrTheOneAskedFor() throws {
        let (first, _) = try Self.mint(["--view", "--stream", "x"], keys: Self.keys)
        #expect(try Self.header(first)["kid"] as? String == "k2")
        let (chosen, _) = try Self.mint(["--view", "--stream", "x", "--kid", "k1"], keys: Self.keys)
        #expect(try Self.header(chosen)["kid"] as? String == "k1")
        let unknown = try MeshcastBinary.run(
            ["token", "--view", "--stream", "x", "--kid", "k9"],
            environment: ["MESHCAST_SECRET": Self.secret, "MESHCAST_TOKEN_KEYS": Self.keys])
        #expect(unknown.status == 1 && unknown.standardError.contains("no key 'k9'"))
        let bad = try MeshcastBinary.run(
            ["token", "--view", "--stream", "x"],
            environment: ["MESHCAST_SECRET": Self.secret, "MESHCAST_TOKEN_KEYS": "k1:short"])
        #expect(bad.status == 1 && bad.standardError.contains("MESHCAST_TOKEN_KEYS"))
    }

    @Test func revokeWritesRedisAndTheAuditLogReadsBack() async throws {
        let server = try RedisTestServer()
        defer { server.stop() }
        let environment: [String: String?] = [
            "MESHCAST_SECRET": Self.secret, "MESHCAST_REDIS_URL": server.url, "USER": "roles-tester",
        ]
        let (token, _) = try Self.mint(["--operator"])
        let jti = try #require(try TokenCommandTests.claims(token)["jti"] as? String)
        let exp = try #require(try TokenCommandTests.claims(token)["exp"] as? Int)
        // Given the whole token, the revocation is kept until the token's own expiry.
        let byToken = try MeshcastBinary.run(["token", "revoke", token], environment: environment)
        #expect(byToken.status == 0, "\(byToken.standardError)")
        #expect(byToken.standardOutput.contains("revoked \(jti) until \(exp)"))
        let byID = try MeshcastBinary.run(["token", "revoke", "plain-id-1"], environment: environment)
        #expect(byID.status == 0, "\(byID.standardError)")
        let score = try server.command(["ZSCORE", TokenRevocations.setKey, jti]).int
        #expect(score == Int64(exp))
        #expect(try server.command(["ZSCORE", TokenRevocations.setKey, "plain-id-1"]).string != nil)

        let table = try MeshcastBinary.run(["audit", "--since", "5m"], environment: environment)
        #expect(table.status == 0, "\(table.standardError)")
        let lines = table.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("TIME") == true)
        #expect(lines.filter { $0.contains("token.revoke") && $0.contains("cli:roles-tester") }.count == 2)
        #expect(table.standardOutput.contains("token/\(jti)") && table.standardOutput.contains("token/plain-id-1"))
        let none = try MeshcastBinary.run(["audit", "--actor", "someone-else", "--json"], environment: environment)
        #expect(none.status == 0 && none.standardOutput.isEmpty)
        let bad = try MeshcastBinary.run(["audit", "--since", "yesterday"], environment: environment)
        #expect(bad.status == 64)
    }

    @Test func revokeWithoutRedisFailsClearly() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "revoke", "some-id"], environment: ["MESHCAST_REDIS_URL": nil])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("MESHCAST_REDIS_URL is not set"))
    }
}
