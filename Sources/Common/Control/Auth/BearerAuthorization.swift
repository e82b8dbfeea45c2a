import Hummingbird
import MeshCluster
import MeshCrypto
import MeshRTC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checks the `Authorization: Bearer` stream token (RFC 6750 §2.1) of a request and, when it
/// fails, builds the 401/403 answer with its `WWW-Authenticate` challenge (RFC 6750 §3).
/// WHIP/WHEP `POST`s may instead carry it as the `access_token` query parameter (RFC 6750 §2.3),
/// which is how a placement redirect hands it on. A token whose `jti` was revoked
/// (``TokenRevocations``) is refused like an expired one.
struct BearerAuthorization: Sendable {
    let verifier: StreamTokenVerifier
    let revocations: TokenRevocations

    /// A token that passed, and its claims.
    struct Authorized: Sendable {
        let token: String
        let claims: StreamToken
    }

    /// Why a request was refused, with the response to send.
    struct Refusal: Error {
        let response: Response
        let reason: String
    }

    /// Returns the request's token when it grants `action` on `stream`, or with `orOperator` is
    /// an operator token for it. With `acceptingQueryToken`, a request without an
    /// `Authorization` header may carry the token as `access_token` in its query (RFC 6750 §2.3).
    @discardableResult
    func authorize(
        _ request: Request, stream: String, action: StreamAction, orOperator: Bool = false,
        acceptingQueryToken: Bool = false
    ) throws(Refusal) -> Authorized {
        let token = try bearer(request, acceptingQueryToken: acceptingQueryToken)
        let now = Date()
        let claims: StreamToken
        do {
            claims = try verifier.verify(token, stream: stream, action: action, orOperator: orOperator, now: now)
        } catch {
            throw Self.refusal(error)
        }
        try checkNotRevoked(claims, now: now)
        return Authorized(token: token, claims: claims)
    }

    /// Returns the request's token when it may call the operator API: an operator or admin
    /// token for every stream (`*`) that can be revoked (it has a `jti`). Anything else valid is
    /// refused with 403 and a sentence saying which of these it lacks.
    func authorizeOperator(_ request: Request) throws(Refusal) -> Authorized {
        let token = try bearer(request, acceptingQueryToken: false)
        let now = Date()
        let claims: StreamToken
        do {
            claims = try verifier.verify(token, now: now)
        } catch {
            throw Self.refusal(error)
        }
        try checkNotRevoked(claims, now: now)
        guard claims.action.isOperatorRole else {
            throw Self.refusal(
                .forbidden, error: "insufficient_scope",
                reason: "the operator API needs an operator or admin token, not a \(claims.action.rawValue) token")
        }
        guard claims.stream == StreamToken.anyStream else {
            throw Self.refusal(
                .forbidden, error: "insufficient_scope",
                reason: "the operator API needs a token for every stream (*), not one scoped to a pattern")
        }
        guard claims.tokenID != nil else {
            throw Self.refusal(
                .forbidden, error: "insufficient_scope",
                reason: "the operator API needs a revocable token (with a jti): mint one with meshcast token --operator"
            )
        }
        return Authorized(token: token, claims: claims)
    }

    private func bearer(_ request: Request, acceptingQueryToken: Bool) throws(Refusal) -> String {
        let header = request.headers[.authorization]
        let token =
            header == nil && acceptingQueryToken
            ? request.uri.queryParameters["access_token"].flatMap { $0.isEmpty ? nil : String($0) }
            : Self.bearerToken(header)
        guard let token else {
            throw Self.refusal(.unauthorized, error: "invalid_token", reason: "missing bearer token")
        }
        return token
    }

    private func checkNotRevoked(_ claims: StreamToken, now: Date) throws(Refusal) {
        guard let jti = claims.tokenID else { return }
        if revocations.isRevoked(jti, now: Int64(now.timeIntervalSince1970)) {
            throw Self.refusal(TokenError.revoked)
        }
    }

    /// RFC 6750 §3.1: a token that is no good is 401 `invalid_token`; a good one that grants
    /// something else is 403 `insufficient_scope`.
    private static func refusal(_ error: TokenError) -> Refusal {
        switch error {
        case .malformed, .badSignature, .unsupportedAlgorithm, .unknownKey, .expired, .revoked:
            refusal(.unauthorized, error: "invalid_token", reason: error.description)
        case .wrongStream, .wrongAction:
            refusal(.forbidden, error: "insufficient_scope", reason: error.description)
        }
    }

    /// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ field: String?) -> String? {
        guard let field else { return nil }
        let parts = field.trimmingWhitespace().split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingWhitespace()
        return token.isEmpty ? nil : String(token)
    }

    private static func refusal(_ status: HTTPResponse.Status, error: String, reason: String) -> Refusal {
        let challenge = "Bearer error=\"\(error)\", error_description=\"\(descriptionValue(reason))\""
        let response = Responses.text(status, ErrorEcho.capped(reason), headers: [.wwwAuthenticate: challenge])
        return Refusal(response: response, reason: reason)
    }

    /// RFC 6750 §3: error_description allows printable ASCII except `"` and `\`.
    private static func descriptionValue(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.prefix(200).map { scalar in
                    (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? scalar : "?"
                }))
    }
}
