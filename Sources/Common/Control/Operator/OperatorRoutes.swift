import HTTPTypes
import Hummingbird
import MeshCluster
import MeshCrypto
import MeshRTC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The operator API (issue 15, item 3): calls that change the node or the mesh on an operator's
/// say, each allowed only to an operator or admin token for every stream that can be revoked
/// (``BearerAuthorization/authorizeOperator(_:)``; 401 without a valid token, 403 with a reason
/// for a publish, view or record token), and each audited.
///
/// - `DELETE /v1/sessions/{id}`: ends the session with that id, publisher or viewer, whatever
///   its stream → 204, or 404.
/// - `POST /v1/tokens/revoke` with ``RevocationRequest`` JSON: revokes the token with that
///   `jti` on every node (``TokenRevocations``) → 200 `{"jti", "until"}`; 503 while Redis is away.
struct OperatorRoutes: Sendable {
    let control: any MediaNodeControl
    let authorization: BearerAuthorization
    let revocations: TokenRevocations
    let audit: AuditTrail

    /// The largest revocation body read.
    static let maximumBodyBytes = 4096

    func register(on router: Router<ControlRequestContext>) {
        router.delete("/v1/sessions/{session}") { request, context in
            await endSession(request, context).logged(request, context: context)
        }
        router.post("/v1/tokens/revoke") { request, context in
            await revoke(request, context).logged(request, context: context)
        }
    }

    private func endSession(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        let session = context.parameters.get("session") ?? ""
        let bearer: BearerAuthorization.Authorized
        do {
            bearer = try authorization.authorizeOperator(request)
        } catch {
            return RequestOutcome(error.response, session: session, reason: error.reason)
        }
        // The engine finds a session by its full address; the operator knows only the id, so
        // each of the node's streams is tried in both roles (an operator call, not a hot path).
        var ended: SessionAddress?
        search: for stream in await control.streams() {
            for role in [NegotiationRole.publisher, .viewer] {
                let address = SessionAddress(id: session, stream: stream.name, role: role)
                if await control.endSession(address, reason: "ended by an operator") {
                    ended = address
                    break search
                }
            }
        }
        let outcome =
            if let ended {
                RequestOutcome(
                    Responses.empty(.noContent), stream: ended.stream, session: session,
                    reason: "\(ended) ended by an operator")
            } else {
                RequestOutcome(
                    Responses.text(.notFound, "no session with this id on this node"), session: session,
                    reason: "no such session")
            }
        return audit.record(
            "session.end", target: "session/\(ErrorEcho.capped(session, bytes: 64))", claims: bearer.claims,
            outcome: outcome, request: request, context: context)
    }

    private func revoke(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        var request = request
        let bearer: BearerAuthorization.Authorized
        let text: String
        do {
            bearer = try authorization.authorizeOperator(request)
        } catch {
            return RequestOutcome(error.response, reason: error.reason)
        }
        do {
            text = try await BoundedBody(limit: Self.maximumBodyBytes).text(
                of: &request, mediaType: MediaTypes.json, acceptHeader: .acceptPost)
        } catch {
            return audited(RequestOutcome(error.response, reason: error.reason), "-", bearer, request, context)
        }
        let revocation: RevocationRequest
        do {
            revocation = try RevocationRequest.parse(Array(text.utf8))
        } catch {
            let outcome = RequestOutcome(Responses.text(.badRequest, error.description), reason: error.description)
            return audited(outcome, "-", bearer, request, context)
        }
        let now = Int64(Date().timeIntervalSince1970)
        let until = revocation.keepUntil(now: now)
        let outcome: RequestOutcome
        do {
            try await revocations.revoke(revocation.jti, expiresAt: until, now: now)
            let body = #"{"jti":"\#(revocation.jti.jsonEscaped)","until":\#(until)}"#
            outcome = RequestOutcome(
                Responses.body(.ok, contentType: MediaTypes.json, body), reason: "token revoked")
        } catch {
            outcome = RequestOutcome(
                Responses.text(
                    .serviceUnavailable, "revocation needs the mesh's Redis, which is away: try again",
                    headers: [.retryAfter: "1"]),
                reason: "revocation failed: \(error)")
        }
        return audited(outcome, revocation.jti, bearer, request, context)
    }

    private func audited(
        _ outcome: RequestOutcome, _ jti: String, _ bearer: BearerAuthorization.Authorized, _ request: Request,
        _ context: ControlRequestContext
    ) -> RequestOutcome {
        audit.record(
            "token.revoke", target: "token/\(jti)", claims: bearer.claims, outcome: outcome, request: request,
            context: context)
    }
}

extension String {
    /// The string as JSON string content: quote and backslash escaped (a jti is printable ASCII).
    fileprivate var jsonEscaped: String {
        replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }
}
