import Foundation
import Testing

/// `meshcast token` as an operator runs it.
@Suite struct TokenCommandTests {
    static let secret = "a command-test secret of 32 byte"

    /// The JSON claims of a compact JWS, decoded from its middle part (RFC 7515 §7.1).
    static func claims(_ token: String) throws -> [String: Any] {
        let parts = token.split(separator: ".")
        try #require(parts.count == 3)
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let data = try #require(Data(base64Encoded: base64))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func mintsAPublishTokenFromTheEnvironmentSecret() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--stream", "lobby", "--publish", "--ttl", "120"], environment: ["MESHCAST_SECRET": Self.secret])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let token = outcome.standardOutput.trimmingCharacters(in: .newlines)
        let claims = try Self.claims(token)
        #expect(claims["stream"] as? String == "lobby")
        #expect(claims["action"] as? String == "publish")
        let exp = try #require(claims["exp"] as? Int)
        let iat = try #require(claims["iat"] as? Int)
        #expect(exp - iat == 120)
    }

    @Test func viewIsTheOtherAction() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--stream", "*", "--view"], environment: ["MESHCAST_SECRET": Self.secret])
        #expect(outcome.status == 0)
        let claims = try Self.claims(outcome.standardOutput.trimmingCharacters(in: .newlines))
        #expect(claims["action"] as? String == "view")
        #expect(claims["stream"] as? String == "*")
    }

    @Test(arguments: [nil, "", "fifteen bytes!!"])
    func missingOrShortSecretFailsWithExit1(secret: String?) throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--stream", "lobby", "--view"], environment: ["MESHCAST_SECRET": secret])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.contains("MESHCAST_SECRET"))
    }

    @Test func anActionIsRequired() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--stream", "lobby"], environment: ["MESHCAST_SECRET": Self.secret])
        #expect(outcome.status == 64)
    }
}

/// `meshcast token --operator` (issue 17).
@Suite struct OperatorTokenCommandTests {
    @Test func mintsAnOperatorTokenForEveryStream() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--operator"], environment: ["MESHCAST_SECRET": TokenCommandTests.secret])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let claims = try TokenCommandTests.claims(outcome.standardOutput.trimmingCharacters(in: .newlines))
        #expect(claims["action"] as? String == "operator")
        #expect(claims["stream"] as? String == "*")
    }

    @Test func anOperatorTokenIsNotScopedToOneStream() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--operator", "--stream", "lobby"], environment: ["MESHCAST_SECRET": TokenCommandTests.secret])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("every stream"))
    }

    @Test func publishAndViewStillNeedAStream() throws {
        let outcome = try MeshcastBinary.run(
            ["token", "--view"], environment: ["MESHCAST_SECRET": TokenCommandTests.secret])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("--stream"))
    }
}
