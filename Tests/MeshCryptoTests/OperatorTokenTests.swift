import Foundation
import MeshCrypto
import Testing

/// The `operator` action (issue 17): a token that may end or ICE-restart any session of the
/// streams it names, and nothing else. The claims are the same JWT (RFC 7519) as every stream
/// token; only the `action` value is new.
@Suite struct OperatorTokenTests {
    static let secret = Array("a mesh secret of 32 bytes length".utf8)
    static let now = Date(timeIntervalSince1970: 1_700_000_000)
    static let verifier = StreamTokenVerifier(secret: secret)

    static func token(stream: String = "*", action: StreamAction = .operator) throws -> String {
        try StreamToken.mint(stream: stream, action: action, ttl: .seconds(60), secret: secret, now: now)
    }

    @Test func claimsSayOperator() throws {
        let payload = try #require(Base64URL.decode(try Self.token().split(separator: ".")[1]))
        #expect(
            String(decoding: payload, as: UTF8.self)
                == #"{"action":"operator","exp":1700000060,"iat":1700000000,"stream":"*"}"#)
    }

    @Test(arguments: [StreamAction.publish, .view])
    func acceptedInPlaceOfEitherActionWhereTheRouteAllowsIt(action: StreamAction) throws {
        let token = try Self.token()
        for stream in ["lobby", "other"] {
            let claims = try Self.verifier.verify(
                token, stream: stream, action: action, orOperator: true, now: Self.now)
            #expect(claims.action == .operator)
        }
    }

    /// POST (publish, view) and PUT (declare) do not allow it.
    @Test(arguments: [StreamAction.publish, .view])
    func refusedWhereTheRouteDoesNot(action: StreamAction) throws {
        #expect(throws: TokenError.wrongAction) {
            try Self.verifier.verify(try Self.token(), stream: "lobby", action: action, now: Self.now)
        }
    }

    /// `orOperator` widens nothing else: a view token still cannot stand in for publish.
    @Test func orOperatorDoesNotMakeOtherActionsInterchangeable() throws {
        #expect(throws: TokenError.wrongAction) {
            try Self.verifier.verify(
                try Self.token(stream: "lobby", action: .view), stream: "lobby", action: .publish, orOperator: true,
                now: Self.now)
        }
    }

    /// An operator token scoped to one stream (not what `meshcast token` mints) keeps its scope.
    @Test func aStreamScopedOperatorTokenKeepsItsStream() throws {
        #expect(throws: TokenError.wrongStream) {
            try Self.verifier.verify(
                try Self.token(stream: "lobby"), stream: "other", action: .view, orOperator: true, now: Self.now)
        }
    }
}
