import MeshCrypto
import MeshTURN
import MeshWire
import Testing

/// The long-term credential mechanism (RFC 8489 §9.2.4) as the TURN server runs it, and the
/// abuse limits on unauthenticated answers (issue 13).
@Suite struct TURNAuthenticationTests {
    /// An unauthenticated Allocate (RFC 8656 §7.1), 72 bytes.
    static let allocateWithoutCredentials: [UInt8] =
        [
            0x00, 0x03, 0x00, 0x34,  // Allocate request, length 52
            0x21, 0x12, 0xa4, 0x42,  // magic cookie
            0x01, 0x02, 0x03, 0x04,  // }
            0x05, 0x06, 0x07, 0x08,  // } transaction ID
            0x09, 0x0a, 0x0b, 0x0c,  // }
            0x00, 0x19, 0x00, 0x04,  // REQUESTED-TRANSPORT, length 4
            0x11, 0x00, 0x00, 0x00,  // UDP (17), 24 reserved bits
            0x80, 0x22, 0x00, 0x28,  // SOFTWARE, length 40
        ] + Array("fixture client of RFC 8656 section 7.1 ".utf8) + [0x21]

    /// The 401 carries ERROR-CODE (no reason phrase: the full one would be 80 bytes, more than
    /// the request's 72), REALM and a NONCE, and no MESSAGE-INTEGRITY.
    @Test func unauthenticatedAllocateGets401WithRealmAndNonce() throws {
        var harness = try Harness()
        #expect(Self.allocateWithoutCredentials.count == 72)
        let answer = try #require(harness.send(Self.allocateWithoutCredentials).bytes)
        let expected: [UInt8] =
            [
                0x01, 0x13, 0x00, 0x30,  // Allocate error response, length 48
                0x21, 0x12, 0xa4, 0x42,  // magic cookie
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,  // same transaction
                0x00, 0x09, 0x00, 0x04,  // ERROR-CODE, length 4
                0x00, 0x00, 0x04, 0x01,  // class 4, number 1: 401, empty reason phrase
                0x00, 0x14, 0x00, 0x08,  // REALM, length 8
            ] + Array("meshcast".utf8) + [
                0x00, 0x15, 0x00, 0x18,  // NONCE, length 24
            ] + harness.nonces.issue(for: Fixture.client, now: Fixture.start)
        #expect(answer == expected)
        #expect(harness.server.allocationCount == 0)
    }

    /// With room, the 401 carries its reason phrase and mirrors FINGERPRINT; when the full
    /// answer is larger than the request it shrinks to its smallest form (68 bytes), and with
    /// `dropChallengesLargerThanRequest` a request smaller than that gets no answer at all.
    @Test func challengeSizeFollowsTheRequest() throws {
        var harness = try Harness()
        let padded = try harness.request(.allocate, sign: false, fingerprint: true) { builder in
            try builder.appendRequestedTransport()
            try builder.appendText(.software, String(repeating: "x", count: 60))
        }
        let full = try harness.parse(try #require(harness.send(padded).bytes))
        #expect(full.errorCode == 401)
        #expect(full.reason == "Unauthorized")
        #expect(full.realm == "meshcast")
        #expect(full.hasFingerprint)
        #expect(!full.hasIntegrity)
        // coturn's turnutils_uclient opens with this 52-byte Allocate (captured on loopback):
        // REQUESTED-TRANSPORT UDP, LIFETIME 777, REQUESTED-ADDRESS-FAMILY IPv4, FINGERPRINT.
        let uclient = try harness.request(.allocate, sign: false, fingerprint: true) { builder in
            try builder.appendRequestedTransport()
            try builder.appendLifetime(777)
            try builder.appendRequestedAddressFamily(.ipv4)
        }
        #expect(uclient.count == 52)
        let minimal = try #require(harness.send(uclient).bytes)
        #expect(minimal.count == 68)
        let response = try harness.parse(minimal)
        #expect(response.errorCode == 401)
        #expect(response.reason == "")
        #expect(!response.hasFingerprint)
        #expect(response.nonce?.count == TURNNonceIssuer.length)
        var configuration = TURNServerConfiguration()
        configuration.dropChallengesLargerThanRequest = true
        var strict = try Harness(configuration: configuration)
        #expect(strict.send(uclient) == .drop(.challengeLargerThanRequest))
        #expect(strict.send(padded).bytes != nil)
    }

    /// 401s per source are rate-limited (10 per second by default); the next second resets it,
    /// and another source is counted apart.
    @Test func challengesAreRateLimitedPerSource() throws {
        var harness = try Harness()
        for _ in 0..<10 { #expect(harness.send(Self.allocateWithoutCredentials).bytes != nil) }
        #expect(harness.send(Self.allocateWithoutCredentials) == .drop(.challengeRateLimited))
        let other = STUNTransportAddress(ip: .v4(0xC633_6408), port: 1)
        #expect(harness.send(Self.allocateWithoutCredentials, from: other).bytes != nil)
        harness.now = harness.now.adding(seconds: 1)
        #expect(harness.send(Self.allocateWithoutCredentials).bytes != nil)
        #expect(harness.server.allocationCount == 0)
    }

    /// A correctly signed Allocate succeeds and its answer is signed with the same key.
    @Test func signedAllocateSucceeds() throws {
        var harness = try Harness()
        let request = try harness.request(.allocate, fingerprint: true) { try $0.appendRequestedTransport() }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.type == STUNMessageType(method: .allocate, messageClass: .successResponse))
        #expect(response.errorCode == nil)
        #expect(response.integrityValid)
        #expect(response.hasFingerprint)
    }

    /// 438 for an expired nonce and for one issued to another address; a new NONCE comes with it.
    @Test func staleOrForeignNonceGets438() throws {
        var harness = try Harness()
        harness.now = harness.now.adding(seconds: 601)
        let stale = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        let response = try harness.parse(try #require(harness.send(stale).bytes))
        #expect(response.errorCode == 438)
        #expect(response.nonce == harness.nonces.issue(for: Fixture.client, now: harness.now))
        let foreign = harness.nonces.issue(for: Fixture.peer, now: harness.now)
        #expect(
            try harness.errorCode(
                of: try harness.request(.allocate, nonce: foreign) { try $0.appendRequestedTransport() }) == 438)
    }

    /// 401 for a wrong password, another realm, an expired username, or no secret matching.
    @Test func badCredentialsGet401() throws {
        var harness = try Harness()
        let expired = try TURNRESTCredential(secret: Fixture.secret, id: "alice", expiry: Fixture.start)
        for request in [
            try harness.request(.allocate, password: "wrong") { try $0.appendRequestedTransport() },
            try harness.request(.allocate, realm: "elsewhere") { try $0.appendRequestedTransport() },
            try harness.request(.allocate, username: expired.username, password: expired.password) {
                try $0.appendRequestedTransport()
            },
            try harness.request(.allocate, username: "not-rest", password: "x") { try $0.appendRequestedTransport() },
        ] {
            #expect(try harness.errorCode(of: request) == 401)
        }
        #expect(harness.server.allocationCount == 0)
    }

    /// During a rotation, credentials minted with the old secret still authenticate.
    @Test func rotatedSecretsBothAuthenticate() throws {
        var harness = try Harness(secrets: [TURNSecret("rotated"), Fixture.secret])
        let old = try TURNRESTCredential(secret: Fixture.secret, id: "bob", expiry: Fixture.start.adding(seconds: 60))
        let request = try harness.request(.allocate, username: old.username, password: old.password) {
            try $0.appendRequestedTransport()
        }
        #expect(try harness.errorCode(of: request) == nil)
    }

    /// MESSAGE-INTEGRITY without NONCE is a malformed request: 400 (RFC 8489 §9.2.4).
    @Test func integrityWithoutNonceGets400() throws {
        var harness = try Harness()
        var storage = [UInt8](repeating: 0, count: 200)
        let count = try storage.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(
                into: buffer, type: STUNMessageType(method: .allocate, messageClass: .request), transactionID: .random()
            )
            try builder.appendRequestedTransport()
            try builder.appendText(.username, harness.username)
            try builder.appendText(.realm, "meshcast")
            try builder.appendIntegrity(.hmacSHA1, key: STUNIntegrityKey(bytes: [1]))
            return builder.count
        }
        #expect(try harness.errorCode(of: Array(storage[..<count])) == 400)
    }

    /// Attributes after MESSAGE-INTEGRITY are ignored (RFC 8489 §14.5): an attacker appending
    /// REQUESTED-TRANSPORT TCP after the MAC does not turn the request into a 442.
    @Test func attributesAfterIntegrityAreIgnored() throws {
        var harness = try Harness()
        var request = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        request += [0x00, 0x19, 0x00, 0x04, 0x06, 0x00, 0x00, 0x00]  // REQUESTED-TRANSPORT TCP
        request[3] += 8  // length field covers the appended attribute
        #expect(try harness.errorCode(of: request) == nil)
    }

    /// Unknown comprehension-required attributes: 420 listing them, signed (RFC 8489 §6.3.1).
    @Test func unknownRequiredAttributeGets420() throws {
        var harness = try Harness()
        let request = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.append(STUNAttributeType(rawValue: 0x7001), value: UnsafeRawBufferPointer(start: nil, count: 0))
            try builder.append(STUNAttributeType(rawValue: 0xC001), value: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.errorCode == 420)
        #expect(response.unknownAttributes == [STUNAttributeType(rawValue: 0x7001)])
        #expect(response.integrityValid)
    }

    /// Methods the server does not implement (RFC 6062 Connect, an unassigned one) get 400;
    /// responses and unknown indications sent to the server are dropped.
    @Test func unsupportedMethodsAndClasses() throws {
        var harness = try Harness()
        #expect(try harness.errorCode(of: try harness.request(STUNMethod(rawValue: 0x00A), sign: false)) == 400)
        #expect(try harness.errorCode(of: try harness.request(STUNMethod(rawValue: 0x005))) == 400)
        let response = try buildRaw(STUNMessageType(method: .allocate, messageClass: .successResponse))
        #expect(harness.send(response) == .drop(.notTURN))
        let data = try harness.indication(.data) { _ in }
        #expect(harness.send(data) == .drop(.notTURN))
    }

    /// Binding is answered with XOR-MAPPED-ADDRESS and no credentials (a TURN server is a STUN server).
    @Test func bindingIsAnswered() throws {
        var harness = try Harness()
        let answer = try #require(harness.send(try buildRaw(.bindingRequest)).bytes)
        #expect(try harness.parse(answer).mapped == Fixture.client)
    }

    /// Garbage, a bad FINGERPRINT and bytes that are neither STUN nor ChannelData are dropped.
    @Test func malformedInputIsDropped() throws {
        var harness = try Harness()
        #expect(harness.send([]) == .drop(.notTURN))
        #expect(harness.send([0x80, 0, 0, 0]) == .drop(.notTURN))
        #expect(harness.send([0x00, 0x03, 0x00]) == .drop(.malformed))
        var request = try harness.request(.allocate, fingerprint: true) { try $0.appendRequestedTransport() }
        request[request.count - 1] ^= 1
        #expect(harness.send(request) == .drop(.malformed))
    }
}

/// A message of `type` with no attributes.
func buildRaw(_ type: STUNMessageType) throws -> [UInt8] {
    var storage = [UInt8](repeating: 0, count: 20)
    try storage.withUnsafeMutableBytes { buffer in
        _ = try STUNMessageBuilder(into: buffer, type: type, transactionID: STUNTransactionID(high: 1, low: 2))
    }
    return storage
}
