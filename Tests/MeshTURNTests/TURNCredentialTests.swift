import MeshCrypto
import MeshTURN
import MeshWire
import Testing

/// TURN REST credentials (draft-uberti-behave-turn-rest-00 §2.2) and the stateless nonce.
@Suite struct TURNCredentialTests {
    /// Expected passwords computed independently with Python:
    /// `base64.b64encode(hmac.new(b"north", b"1733400000:alice", hashlib.sha1).digest())`.
    @Test func restPasswordMatchesAnIndependentComputation() throws {
        let credential = try TURNRESTCredential(secret: TURNSecret("north"), id: "alice", expiry: Fixture.start)
        #expect(credential.username == "1733400000:alice")
        #expect(credential.password == "3U97BisayQLc8SAhefXILx37JPI=")
        #expect(
            try TURNRESTCredential.password(secret: TURNSecret("rotated"), username: "1733400000:alice")
                == "CYV9Z0RlfPSPPBKnNn6bI53jpzQ=")
    }

    @Test func idWithColonIsRefused() {
        #expect(throws: TURNCredentialError.malformedUsername) {
            try TURNRESTCredential(secret: Fixture.secret, id: "a:b", expiry: Fixture.start)
        }
    }

    /// A rotation list is comma-separated; blanks are skipped; a log line never shows a secret.
    @Test func secretListAndDescription() {
        let secrets = TURNSecret.list(" new , ,old")
        #expect(secrets == [TURNSecret("new"), TURNSecret("old")])
        #expect(!"\(secrets[0])".contains("new"))
    }

    /// Every accepted secret yields a key, newest first; the RFC 8489 §9.2.2 key is
    /// MD5(username:realm:password).
    @Test func verifierDerivesOneKeyPerSecret() throws {
        let verifier = TURNCredentialVerifier(secrets: [TURNSecret("rotated"), TURNSecret("north")], realm: "meshcast")
        let username = Array("1733400000:alice".utf8)
        let keys = try username.withUnsafeBytes {
            try verifier.keys(username: $0, now: Fixture.start.adding(seconds: -1))
        }
        let expected = try STUNIntegrityKey.longTerm(
            username: "1733400000:alice", realm: "meshcast", password: "3U97BisayQLc8SAhefXILx37JPI=")
        #expect(keys.count == 2)
        #expect(keys[1] == expected)
        #expect(
            try Digest.hash(.md5, Array("1733400000:alice:meshcast:3U97BisayQLc8SAhefXILx37JPI=".utf8))
                == expected.bytes)
    }

    @Test(arguments: ["", ":alice", "17x:alice", "1234567890123:alice"])
    func malformedUsernamesAreRefused(username: String) {
        let verifier = TURNCredentialVerifier(secrets: [Fixture.secret], realm: "meshcast")
        #expect(throws: TURNCredentialError.malformedUsername) {
            try Array(username.utf8).withUnsafeBytes { _ = try verifier.keys(username: $0, now: Fixture.start) }
        }
    }

    /// The expiry is the last second the username is valid before; at it the username is refused.
    @Test func expiredUsernameAndNoSecret() throws {
        let username = Array("1733400000".utf8)  // coturn accepts a bare expiry
        let verifier = TURNCredentialVerifier(secrets: [Fixture.secret], realm: "meshcast")
        try username.withUnsafeBytes { raw throws in
            #expect(try verifier.keys(username: raw, now: Fixture.start.adding(milliseconds: -1)).count == 1)
            #expect(throws: TURNCredentialError.expired) { try verifier.keys(username: raw, now: Fixture.start) }
            #expect(throws: TURNCredentialError.noSecret) {
                try TURNCredentialVerifier(secrets: [], realm: "r").keys(username: raw, now: Fixture.start)
            }
        }
    }

    /// The nonce is fresh for its lifetime, stale after, and bound to the client's address.
    @Test func nonceLifecycle() {
        let issuer = TURNNonceIssuer(key: Fixture.nonceKey, lifetimeSeconds: 600)
        let nonce = issuer.issue(for: Fixture.client, now: Fixture.start)
        #expect(nonce.count == TURNNonceIssuer.length)
        // The first 8 characters are the expiry in hex: 1733400600 = 0x67519818.
        #expect(String(decoding: nonce[..<8], as: UTF8.self) == "67519818")
        nonce.withUnsafeBytes { raw in
            #expect(issuer.check(raw, client: Fixture.client, now: Fixture.start.adding(seconds: 599)) == .fresh)
            #expect(issuer.check(raw, client: Fixture.client, now: Fixture.start.adding(seconds: 600)) == .stale)
            var moved = Fixture.client
            moved.port += 1
            #expect(issuer.check(raw, client: moved, now: Fixture.start) == .unknown)
            let otherKey = TURNNonceIssuer(key: [UInt8](repeating: 1, count: 32))
            #expect(otherKey.check(raw, client: Fixture.client, now: Fixture.start) == .unknown)
        }
    }

    /// A nonce whose expiry was pushed later by the client no longer matches its MAC.
    @Test func extendedOrTruncatedNonceIsUnknown() {
        let issuer = TURNNonceIssuer(key: Fixture.nonceKey)
        var nonce = issuer.issue(for: Fixture.client, now: Fixture.start)
        nonce[0] = UInt8(ascii: "f")
        for candidate in [nonce, Array(nonce.dropLast()), [], Array(repeating: UInt8(ascii: "z"), count: 24)] {
            candidate.withUnsafeBytes { raw in
                #expect(issuer.check(raw, client: Fixture.client, now: Fixture.start) == .unknown)
            }
        }
    }
}
