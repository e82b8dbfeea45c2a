import Foundation
import MeshCrypto
import Testing

/// Roles, scopes, key ids and token ids (issue 15, item 3). The claims are RFC 7519's (`sub`
/// §4.1.2, `jti` §4.1.7); the key id is the JOSE header's `kid` (RFC 7515 §4.1.4).
@Suite struct TokenRoleTests {
    static let primary = Array("the primary secret, 32 bytes ok!".utf8)
    static let old = TokenKey(id: "2026-11", secret: Array("the november key of 32 bytes ...".utf8))
    static let new = TokenKey(id: "2026-12", secret: Array("the december key of 32 bytes ...".utf8))
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func claims(_ action: StreamAction, stream: String = "*", jti: String? = "id-1") -> StreamToken {
        StreamToken(
            stream: stream, action: action, expiresAt: 1_700_000_600, issuedAt: 1_700_000_000, subject: "alice",
            tokenID: jti)
    }

    @Test("an admin token grants every role; the others grant their own (operator also where a route allows)")
    func rolesGrant() {
        for action in StreamAction.allCases {
            #expect(StreamAction.admin.grants(action))
        }
        #expect(!StreamAction.view.grants(.publish))
        #expect(!StreamAction.publish.grants(.view))
        #expect(!StreamAction.record.grants(.view))
        #expect(!StreamAction.operator.grants(.view))
        #expect(StreamAction.operator.grants(.view, orOperator: true))
        #expect(!StreamAction.record.grants(.view, orOperator: true))
        #expect(StreamAction.allCases.filter(\.isOperatorRole) == [.operator, .admin])
    }

    @Test(
        "a stream claim is a name, * or a pattern with * wildcards",
        arguments: [
            ("lobby", "lobby", true), ("lobby", "lobby2", false), ("*", "anything", true),
            ("studio-*", "studio-a", true), ("studio-*", "studio-", true), ("studio-*", "stud", false),
            ("*-backup", "cam-backup", true), ("*-backup", "cam-backup2", false),
            ("event-*-cam*", "event-7-cam12", true), ("event-*-cam*", "event-7-mic", false),
            ("a*a*a*a*a*b", String(repeating: "a", count: 120), false),
        ])
    func scopes(pattern: String, stream: String, expected: Bool) {
        #expect(Self.claims(.view, stream: pattern).covers(stream: stream) == expected)
    }

    @Test("a token signed with a named key carries its kid and verifies while the ring holds the key")
    func kidHeader() throws {
        let ring = TokenKeyRing(primary: Self.primary, keys: [Self.new, Self.old])
        let token = try Self.claims(.view).signed(with: ring)
        let header = try #require(Base64URL.decode(token.split(separator: ".")[0]))
        #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"HS256","kid":"2026-12","typ":"JWT"}"#)
        let payload = try #require(Base64URL.decode(token.split(separator: ".")[1]))
        #expect(
            String(decoding: payload, as: UTF8.self)
                == #"{"action":"view","exp":1700000600,"iat":1700000000,"jti":"id-1","stream":"*","sub":"alice"}"#)
        let claims = try StreamTokenVerifier(keys: ring).verify(token, stream: "lobby", action: .view, now: Self.now)
        #expect(claims.keyID == "2026-12" && claims.subject == "alice" && claims.tokenID == "id-1")
    }

    @Test("during a rotation both keys verify; once the old key is removed its tokens are refused by kid")
    func rotation() throws {
        let before = TokenKeyRing(primary: Self.primary, keys: [Self.old])
        let during = TokenKeyRing(primary: Self.primary, keys: [Self.new, Self.old])
        let after = TokenKeyRing(primary: Self.primary, keys: [Self.new])
        let oldToken = try Self.claims(.view).signed(with: before)
        let newToken = try Self.claims(.view).signed(with: during)
        for token in [oldToken, newToken] {
            _ = try StreamTokenVerifier(keys: during).verify(token, stream: "x", action: .view, now: Self.now)
        }
        _ = try StreamTokenVerifier(keys: after).verify(newToken, stream: "x", action: .view, now: Self.now)
        #expect(throws: TokenError.unknownKey("2026-11")) {
            try StreamTokenVerifier(keys: after).verify(oldToken, stream: "x", action: .view, now: Self.now)
        }
    }

    @Test("a kid does not let one key stand in for another, nor the primary secret for a named key")
    func kidIsBoundToItsKey() throws {
        // Signed with the old key's secret but claiming the new key's id.
        var forged = Self.claims(.admin)
        forged.keyID = Self.new.id
        let token = try forged.signed(secret: Self.old.secret)
        let ring = TokenKeyRing(primary: Self.old.secret, keys: [Self.new, Self.old])
        #expect(throws: TokenError.badSignature) {
            try StreamTokenVerifier(keys: ring).verify(token, now: Self.now)
        }
    }

    @Test("tokens without kid, sub or jti (minted before roles) still verify against the primary secret")
    func legacyTokens() throws {
        let token = try StreamToken.mint(
            stream: "lobby", action: .publish, ttl: .seconds(60), secret: Self.primary, now: Self.now)
        let ring = TokenKeyRing(primary: Self.primary, keys: [Self.new])
        let claims = try StreamTokenVerifier(keys: ring).verify(token, stream: "lobby", action: .publish, now: Self.now)
        #expect(claims.keyID == nil && claims.tokenID == nil && claims.subject == nil)
    }

    @Test(
        "sub and jti must be printable and bounded", arguments: ["", "has space", String(repeating: "x", count: 129)])
    func boundedIdentifiers(value: String) throws {
        for claims in [
            StreamToken(stream: "*", action: .view, expiresAt: 1_700_000_600, issuedAt: 0, subject: value),
            StreamToken(stream: "*", action: .view, expiresAt: 1_700_000_600, issuedAt: 0, tokenID: value),
        ] {
            let token = try claims.signed(secret: Self.primary)
            let error = #expect(throws: TokenError.self) {
                try StreamTokenVerifier(secret: Self.primary).verify(token, now: Self.now)
            }
            guard case .malformed = error else {
                Issue.record("expected malformed, got \(String(describing: error))"); return
            }
        }
    }

    @Test("new roles decode; an unknown role is malformed")
    func roleClaims() throws {
        for action in [StreamAction.record, .admin] {
            let token = try Self.claims(action).signed(secret: Self.primary)
            #expect(try StreamTokenVerifier(secret: Self.primary).verify(token, now: Self.now).action == action)
        }
        let token = try CompactHS256.sign(
            header: Array(#"{"alg":"HS256"}"#.utf8),
            payload: Array(#"{"action":"root","exp":1700000600,"stream":"*"}"#.utf8), secret: Self.primary)
        let error = #expect(throws: TokenError.self) {
            try StreamTokenVerifier(secret: Self.primary).verify(token, now: Self.now)
        }
        #expect(error?.description.contains("record, operator or admin") == true)
    }

    @Test("token ids are 32 hex digits and differ")
    func tokenIDs() {
        let ids = (0..<100).map { _ in StreamToken.newTokenID() }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }
}

/// `MESHCAST_TOKEN_KEYS` (issue 15, item 3): `kid:secret` pairs, newest first.
@Suite struct TokenKeyRingTests {
    @Test func parsesPairsInOrder() throws {
        let keys = try TokenKeyRing.parse(" k2:second secret of 16+ bytes , k1:first:secret-with-colon ,")
        #expect(keys.map(\.id) == ["k2", "k1"])
        #expect(keys[1].secret == Array("first:secret-with-colon".utf8))
        #expect(try TokenKeyRing.parse("").isEmpty)
    }

    @Test(
        arguments: [
            ("nokid", TokenKeyRingError.missingID(position: 1)),
            ("bad kid:0123456789abcdef", .badID("bad kid")),
            ("k:short", .weakSecret("k")),
            ("k:0123456789abcdef,k:0123456789abcdef", .duplicateID("k")),
        ])
    func refusesBadEntries(text: String, expected: TokenKeyRingError) {
        #expect(throws: expected) { try TokenKeyRing.parse(text) }
    }

    @Test func unknownKidIsRefusedBeforeTheSignature() throws {
        let ring = TokenKeyRing(primary: TokenRoleTests.primary, keys: [TokenRoleTests.new])
        #expect(throws: TokenError.unknownKey("nope")) { try ring.secret(for: "nope") }
        #expect(try ring.secret(for: nil) == TokenRoleTests.primary)
    }
}
