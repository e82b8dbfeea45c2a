import Foundation
import MeshCrypto
import Testing

/// JWS/JWT HS256 (RFC 7515, RFC 7519) and the stream token rules built on it.
@Suite struct TokenTests {
    // RFC 7515 Appendix A.1: the HS256 example. The key is the JWK `k` value of A.1.1; the
    // header is {"typ":"JWT",\r\n "alg":"HS256"} and the payload
    // {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}, both with CRLFs.
    static let rfc7515Key = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    static let rfc7515Header = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    static let rfc7515Payload =
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    static let rfc7515Signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static var rfc7515Token: String { [rfc7515Header, rfc7515Payload, rfc7515Signature].joined(separator: ".") }

    static let secret = Array("a mesh secret of 32 bytes length".utf8)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func rfc7515A1SignatureIsReproduced() throws {
        let key = try #require(Base64URL.decode(Self.rfc7515Key))
        // A.1.1 prints the key's 64 octets; the first and last are 3 and 163.
        #expect(key.count == 64 && key.first == 3 && key.last == 163)
        let header = try #require(Base64URL.decode(Self.rfc7515Header))
        let payload = try #require(Base64URL.decode(Self.rfc7515Payload))
        #expect(String(decoding: header, as: UTF8.self) == "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}")
        let token = try CompactHS256.sign(header: header, payload: payload, secret: key)
        #expect(token == Self.rfc7515Token)
    }

    @Test func rfc7515A1TokenVerifiesAndYieldsItsPayload() throws {
        let key = try #require(Base64URL.decode(Self.rfc7515Key))
        let payload = try CompactHS256.verifiedPayload(Self.rfc7515Token, secret: key)
        #expect(payload == Base64URL.decode(Self.rfc7515Payload))
        #expect(String(decoding: payload, as: UTF8.self).hasPrefix("{\"iss\":\"joe\""))
    }

    @Test func rfc7515A1TokenFailsUnderAnotherKey() {
        #expect(throws: TokenError.badSignature) {
            try CompactHS256.verifiedPayload(Self.rfc7515Token, secret: Self.secret)
        }
    }

    @Test func rfc7515A1TokenIsNoStreamToken() throws {
        // The signature holds, but the claims lack stream and action.
        let key = try #require(Base64URL.decode(Self.rfc7515Key))
        let error = #expect(throws: TokenError.self) {
            try StreamTokenVerifier(secret: key).verify(Self.rfc7515Token, stream: "x", action: .view)
        }
        guard case .malformed = error else {
            Issue.record("expected malformed, got \(String(describing: error))"); return
        }
    }

    @Test(arguments: [StreamAction.publish, .view])
    func mintedTokenVerifiesForItsStreamAndAction(action: StreamAction) throws {
        let token = try StreamToken.mint(
            stream: "lobby", action: action, ttl: .seconds(600), secret: Self.secret, now: Self.now)
        let claims = try StreamTokenVerifier(secret: Self.secret).verify(
            token, stream: "lobby", action: action, now: Self.now.addingTimeInterval(599))
        #expect(
            claims == StreamToken(stream: "lobby", action: action, expiresAt: 1_700_000_600, issuedAt: 1_700_000_000))
    }

    @Test func mintedClaimsAreTheDocumentedJSON() throws {
        let token = try StreamToken.mint(
            stream: "lobby", action: .publish, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try #require(Base64URL.decode(parts[0]))
        let payload = try #require(Base64URL.decode(parts[1]))
        #expect(String(decoding: header, as: UTF8.self) == #"{"alg":"HS256","typ":"JWT"}"#)
        #expect(
            String(decoding: payload, as: UTF8.self)
                == #"{"action":"publish","exp":1700000060,"iat":1700000000,"stream":"lobby"}"#)
    }

    @Test func wildcardStreamMatchesEveryStream() throws {
        let token = try StreamToken.mint(
            stream: "*", action: .view, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let verifier = StreamTokenVerifier(secret: Self.secret)
        for stream in ["a", "lobby", "*"] {
            #expect(throws: Never.self) { try verifier.verify(token, stream: stream, action: .view, now: Self.now) }
        }
    }

    @Test func expiredAtExactlyExp() throws {
        // RFC 7519 §4.1.4: valid only while the current time is before exp.
        let token = try StreamToken.mint(
            stream: "a", action: .view, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let verifier = StreamTokenVerifier(secret: Self.secret)
        #expect(throws: TokenError.expired) {
            try verifier.verify(token, stream: "a", action: .view, now: Self.now.addingTimeInterval(60))
        }
    }

    @Test func wrongStreamAndWrongAction() throws {
        let token = try StreamToken.mint(
            stream: "a", action: .view, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let verifier = StreamTokenVerifier(secret: Self.secret)
        #expect(throws: TokenError.wrongStream) {
            try verifier.verify(token, stream: "b", action: .view, now: Self.now)
        }
        #expect(throws: TokenError.wrongAction) {
            try verifier.verify(token, stream: "a", action: .publish, now: Self.now)
        }
    }

    @Test func otherSecretIsABadSignature() throws {
        let token = try StreamToken.mint(
            stream: "a", action: .view, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let other = StreamTokenVerifier(secret: Array("another secret of enough length".utf8))
        #expect(throws: TokenError.badSignature) { try other.verify(token, stream: "a", action: .view, now: Self.now) }
    }

    @Test func tamperedClaimsAreABadSignature() throws {
        let token = try StreamToken.mint(
            stream: "a", action: .view, ttl: .seconds(60), secret: Self.secret, now: Self.now)
        let parts = token.split(separator: ".").map(String.init)
        let forged = StreamToken(stream: "a", action: .publish, expiresAt: 1_800_000_000, issuedAt: 0)
        let forgedPayload = try #require(try forged.signed(secret: Self.secret).split(separator: ".").dropFirst().first)
        let tampered = [parts[0], String(forgedPayload), parts[2]].joined(separator: ".")
        #expect(throws: TokenError.badSignature) {
            try StreamTokenVerifier(secret: Self.secret).verify(tampered, stream: "a", action: .publish, now: Self.now)
        }
    }

    /// A token with any header, the given claims, and a valid HS256 signature over them.
    func signed(header: String, claims: String) throws -> String {
        try CompactHS256.sign(header: Array(header.utf8), payload: Array(claims.utf8), secret: Self.secret)
    }

    @Test(arguments: ["none", "HS512", "RS256", "hs256"])
    func algorithmsOtherThanHS256AreRefused(alg: String) throws {
        let token = try signed(
            header: #"{"alg":"\#(alg)"}"#, claims: #"{"stream":"a","action":"view","exp":1800000000}"#)
        #expect(throws: TokenError.unsupportedAlgorithm(alg)) {
            try StreamTokenVerifier(secret: Self.secret).verify(token, stream: "a", action: .view, now: Self.now)
        }
    }

    @Test func unsignedNoneTokenIsRefusedBeforeItsEmptySignature() throws {
        // RFC 7519 §6.1's unsecured JWT: alg none and an empty third part.
        let token =
            Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "."
            + Base64URL.encode(Array(#"{"stream":"a","action":"view","exp":1800000000}"#.utf8)) + "."
        #expect(throws: TokenError.unsupportedAlgorithm("none")) {
            try StreamTokenVerifier(secret: Self.secret).verify(token, stream: "a", action: .view, now: Self.now)
        }
    }

    @Test func criticalHeaderExtensionsAreRefused() throws {
        let token = try signed(
            header: #"{"alg":"HS256","crit":["b64"],"b64":false}"#,
            claims: #"{"stream":"a","action":"view","exp":1800000000}"#)
        let error = #expect(throws: TokenError.self) {
            try StreamTokenVerifier(secret: Self.secret).verify(token, stream: "a", action: .view, now: Self.now)
        }
        guard case .unsupportedAlgorithm = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test(arguments: [
        "", "abc", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.e30",
        String(repeating: "A", count: 5000) + ".e30.e30",
    ])
    func structurallyBrokenTokensAreMalformed(token: String) {
        let error = #expect(throws: TokenError.self) {
            try StreamTokenVerifier(secret: Self.secret).verify(token, stream: "a", action: .view, now: Self.now)
        }
        guard case .malformed = error else {
            Issue.record("\(token.prefix(20)): got \(String(describing: error))"); return
        }
    }

    @Test(arguments: [
        #"{"action":"view","exp":1800000000}"#,  // no stream
        #"{"stream":"a","exp":1800000000}"#,  // no action
        #"{"stream":"a","action":"view"}"#,  // no exp
        #"{"stream":"a","action":"root","exp":1800000000}"#,  // unknown action
        #"{"stream":"a","action":"view","exp":"soon"}"#,  // exp not a NumericDate
        #"["stream"]"#,  // not an object
    ])
    func signedButUnusableClaimsAreMalformed(claims: String) throws {
        let token = try signed(header: #"{"alg":"HS256","typ":"JWT"}"#, claims: claims)
        let error = #expect(throws: TokenError.self) {
            try StreamTokenVerifier(secret: Self.secret).verify(token, stream: "a", action: .view, now: Self.now)
        }
        guard case .malformed = error else { Issue.record("\(claims): got \(String(describing: error))"); return }
    }

    @Test func fractionalExpIsAccepted() throws {
        // RFC 7519 §2: a NumericDate may be non-integer.
        let token = try signed(
            header: #"{"alg":"HS256"}"#, claims: #"{"stream":"a","action":"view","exp":1800000000.5}"#)
        let claims = try StreamTokenVerifier(secret: Self.secret).verify(
            token, stream: "a", action: .view, now: Self.now)
        #expect(claims.expiresAt == 1_800_000_000)
    }

    @Test func base64URLRoundTripsEveryLengthAndRejectsNonCanonicalText() {
        let bytes: [UInt8] = [0xFB, 0xFF, 0x00, 0x3E, 0x3F, 0x80, 0x7F]
        for length in 0...bytes.count {
            let slice = Array(bytes.prefix(length))
            let text = Base64URL.encode(slice)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == slice)
        }
        // RFC 4648 §5 alphabet: 0xFB 0xFF is "-_8" ('+' and '/' become '-' and '_').
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8=") == nil)  // padding
        #expect(Base64URL.decode("+/8") == nil)  // standard alphabet
        #expect(Base64URL.decode("A") == nil)  // dangling sextet
        #expect(Base64URL.decode("-_9") == nil)  // non-zero spare bits
    }
}
