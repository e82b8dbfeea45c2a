import HTTPTypes
import Hummingbird
import MeshCrypto
import MeshRTC
import MeshWire

/// The WHIP and WHEP resources (RFC 9725 §4): `POST` an offer to create a session, `PATCH`
/// it with trickled candidates or an ICE restart, `DELETE` it, `OPTIONS` for CORS preflight.
///
/// In a mesh, a `POST` whose token is good is placed first: served here, redirected (`307`) to
/// the node placement chose, or refused (`503` + `Retry-After`, or placement's own status).
struct SessionRoutes: Sendable {
    let control: any MediaNodeControl
    let mesh: (any MeshCoordination)?
    let configuration: ControlConfiguration
    let authorization: BearerAuthorization
    let audit: AuditTrail
    let credentials = RemoteICECredentials()

    func register(on router: Router<ControlRequestContext>) {
        for kind in SessionKind.allCases {
            router.post("/\(kind.rawValue)/{stream}") { request, context in
                await create(kind, request, context).logged(request, context: context)
            }
            router.patch("/\(kind.rawValue)/{stream}/{session}") { request, context in
                await patch(kind, request, context).logged(request, context: context)
            }
            router.delete("/\(kind.rawValue)/{stream}/{session}") { request, context in
                await end(kind, request, context).logged(request, context: context)
            }
            router.on("/\(kind.rawValue)/{stream}", method: .options) { _, _ in
                Responses.empty(.noContent, headers: preflightHeaders(methods: "POST, OPTIONS", accept: .acceptPost))
            }
            router.on("/\(kind.rawValue)/{stream}/{session}", method: .options) { _, _ in
                Responses.empty(
                    .noContent, headers: preflightHeaders(methods: "PATCH, DELETE, OPTIONS", accept: .acceptPatch))
            }
        }
    }

    // MARK: POST

    private func create(_ kind: SessionKind, _ request: Request, _ context: ControlRequestContext) async
        -> RequestOutcome
    {
        var request = request
        let stream: String
        let offer: String
        let options: ViewerOptions
        let bearer: BearerAuthorization.Authorized
        do throws(RouteRefusal) {
            stream = try streamParameter(context)
            bearer = try authorize(request, stream: stream, action: kind.action, acceptingQueryToken: true)
            options = try kind == .whep ? viewerOptions(request) : ViewerOptions()
            offer = try await body(&request, mediaType: MediaTypes.sdp, accept: .acceptPost)
        } catch {
            return RequestOutcome(error.response, stream: context.parameters.get("stream"), reason: error.reason)
        }
        let token = bearer.token

        let placement = SessionPlacement.request(request, context: context, token: token)
        if let mesh {
            let verdict =
                switch kind {
                case .whip: await mesh.placePublisher(stream: stream, request: placement)
                case .whep: await mesh.placeViewer(stream: stream, request: placement)
                }
            if let (response, reason) = SessionPlacement.response(
                verdict, kind: kind, stream: stream, request: request, token: token)
            {
                return RequestOutcome(response, stream: stream, reason: reason)
            }
        }

        let outcome: Result<SessionAnswer, SessionRequestError>
        do throws(SessionRequestError) {
            switch kind {
            case .whip:
                outcome = .success(try await control.publish(stream: stream, offer: offer, client: context.client))
            case .whep:
                outcome = .success(
                    try await control.view(stream: stream, offer: offer, client: context.client, options: options))
            }
        } catch {
            outcome = .failure(error)
        }
        // What placement held for the client (a reserved slot, a claim on the stream) is settled
        // whether or not it got a session.
        if let mesh {
            switch kind {
            case .whep: await mesh.viewerArrived(stream: stream, grant: placement.grant)
            case .whip: await mesh.publisherSettled(stream: stream, published: (try? outcome.get()) != nil)
            }
        }
        let answer: SessionAnswer
        switch outcome {
        case .success(let value): answer = value
        case .failure(let error):
            let refused = RequestOutcome(
                SessionErrorResponse.response(error), stream: stream, reason: "\(kind.role) refused: \(error)")
            return audited(kind, refused, claims: bearer.claims, request: request, context: context)
        }

        if let ufrag = RemoteICECredentials.ufrag(ofOffer: offer),
            let sessions = credentials.record(ufrag, for: answer.sessionID)
        {
            Task { await forgetEnded(sessions) }
        }
        var headers = iceServerHeaders()
        for server in configuration.sessionICEServers?(answer.sessionID) ?? [] {
            headers.append(HTTPField(name: .link, value: server.headerValue))
        }
        headers[.location] = location(kind.sessionPath(stream: stream, session: answer.sessionID))
        headers[.eTag] = ETag.strong(answer.tag)
        let response = Responses.body(.created, contentType: MediaTypes.sdp, answer.sdp, headers: headers)
        if kind == .whip {
            configuration.publishers.started(answer.sessionID, stream: stream, claims: bearer.claims)
            configuration.webhooks.report(.streamStarted, stream: stream)
        }
        let created = RequestOutcome(
            response, stream: stream, session: answer.sessionID, reason: "\(kind.role) session created")
        return audited(kind, created, claims: bearer.claims, request: request, context: context)
    }

    /// A publisher's start (`201` or the engine's refusal) goes to the audit trail; a viewer's
    /// does not (viewers come and go by the thousand and change nothing but their own session).
    private func audited(
        _ kind: SessionKind, _ outcome: RequestOutcome, claims: StreamToken, request: Request,
        context: ControlRequestContext
    ) -> RequestOutcome {
        guard kind == .whip, let stream = outcome.stream else { return outcome }
        let target = outcome.session.map { "whip/\(stream)/\($0)" } ?? "stream/\(stream)"
        return audit.record(
            "publish.start", target: target, claims: claims, outcome: outcome, request: request, context: context)
    }

    // MARK: PATCH

    private func patch(_ kind: SessionKind, _ request: Request, _ context: ControlRequestContext) async
        -> RequestOutcome
    {
        var request = request
        let stream = context.parameters.get("stream")
        let session = context.parameters.get("session") ?? ""
        let address: SessionAddress
        let text: String
        let fragment: TrickleICEFragment
        do throws(RouteRefusal) {
            address = try sessionAddress(kind, request, context).address
            text = try await body(&request, mediaType: MediaTypes.trickleICEFragment, accept: .acceptPatch)
            do {
                fragment = try TrickleICEFragment(parsing: text)
            } catch {
                throw RouteRefusal(.badRequest, "malformed sdpfrag (RFC 8840): \(error)")
            }
        } catch {
            return RequestOutcome(error.response, stream: stream, session: session, reason: error.reason)
        }

        // No session of this stream and kind has this id. Another stream's or kind's session may:
        // its remembered ufrag is its owner's, so a refused request leaves it alone.
        guard let tag = await control.sessionTag(address) else {
            return RequestOutcome(
                SessionErrorResponse.response(.unknownSession), stream: stream, session: session,
                reason: "PATCH of an unknown session")
        }
        // RFC 9725 §4.3.2: a new ufrag means an ICE restart, which needs If-Match (428 without);
        // a trickle may carry one, and any If-Match must match the current ETag (412).
        let newUfrag = RemoteICECredentials.ufrag(of: fragment)
        let knownUfrag = credentials.ufrag(of: session)
        let restarting = newUfrag != nil && knownUfrag != nil && newUfrag != knownUfrag
        let precondition = IfMatch(request.headers[.ifMatch])
        if restarting && precondition == nil {
            return RequestOutcome(
                Responses.text(.preconditionRequired, "an ICE restart needs If-Match: * or the session's ETag"),
                stream: stream, session: session, reason: "ICE restart without If-Match")
        }
        if let precondition, !precondition.matches(tag: tag) {
            return RequestOutcome(
                Responses.text(.preconditionFailed, "If-Match does not match the session's ETag \(ETag.strong(tag))"),
                stream: stream, session: session, reason: "If-Match mismatch")
        }

        do {
            switch try await control.patchSession(address, fragment: text) {
            case .trickled:
                return RequestOutcome(
                    Responses.empty(.noContent), stream: stream, session: session, reason: "candidates trickled")
            case .restarted(let answerFragment, let newTag):
                if let newUfrag { _ = credentials.record(newUfrag, for: session) }
                let response = Responses.body(
                    .ok, contentType: MediaTypes.trickleICEFragment, answerFragment,
                    headers: [.eTag: ETag.strong(newTag)])
                return RequestOutcome(response, stream: stream, session: session, reason: "ICE restarted")
            }
        } catch {
            // The session was this address's a moment ago (its tag was found), so it has ended.
            if error == .unknownSession { credentials.forget(session) }
            return RequestOutcome(
                SessionErrorResponse.response(error), stream: stream, session: session,
                reason: "PATCH refused: \(ErrorEcho.capped(error.description))")
        }
    }

    // MARK: DELETE

    private func end(_ kind: SessionKind, _ request: Request, _ context: ControlRequestContext) async -> RequestOutcome
    {
        let stream = context.parameters.get("stream")
        let session = context.parameters.get("session") ?? ""
        let address: SessionAddress
        let claims: StreamToken
        do throws(RouteRefusal) {
            let found = try sessionAddress(kind, request, context)
            address = found.address
            claims = found.claims
        } catch {
            return RequestOutcome(error.response, stream: stream, session: session, reason: error.reason)
        }
        // A publisher ending its own session is audited here, with this request's id; the
        // engine's report of the end must not audit it a second time.
        let ownEnd = kind == .whip && !claims.action.isOperatorRole
        let taken = ownEnd ? configuration.publishers.take(address.id, stream: address.stream) : nil
        let outcome: RequestOutcome
        if await control.endSession(address, reason: "\(kind.rawValue.uppercased()) DELETE") {
            // Only now: a DELETE under another stream's or kind's path must not erase the owner's ufrag.
            credentials.forget(session)
            if taken != nil { configuration.webhooks.report(.streamEnded, stream: address.stream) }
            outcome = RequestOutcome(Responses.empty(.ok), stream: stream, session: session, reason: "session ended")
        } else {
            if let taken { configuration.publishers.restore(taken) }
            outcome = RequestOutcome(
                SessionErrorResponse.response(.unknownSession), stream: stream, session: session,
                reason: "DELETE of an unknown session")
        }
        // An operator (or admin) ending someone's session, or a publisher ending its own, is
        // audited; a viewer leaving is not.
        let action: String? =
            claims.action.isOperatorRole ? "session.end" : kind == .whip ? "publish.end" : nil
        guard let action else { return outcome }
        return audit.record(
            action, target: "\(kind.rawValue)/\(address.stream)/\(address.id)", claims: claims, outcome: outcome,
            request: request, context: context)
    }

    // MARK: Pieces

    /// The session a PATCH or DELETE names, once the token grants the kind's action on the
    /// path's stream, or is an operator token (RFC 6750 §3.1: 401 without a valid token, 403
    /// when it grants something else). Whether the session belongs to that stream and kind is
    /// the engine's check, answered like an unknown id (404).
    private func sessionAddress(_ kind: SessionKind, _ request: Request, _ context: ControlRequestContext)
        throws(RouteRefusal) -> (address: SessionAddress, claims: StreamToken)
    {
        let stream = try streamParameter(context)
        let bearer = try authorize(request, stream: stream, action: kind.action, orOperator: true)
        return (kind.address(stream: stream, session: context.parameters.get("session") ?? ""), bearer.claims)
    }

    private func streamParameter(_ context: ControlRequestContext) throws(RouteRefusal) -> String {
        guard let stream = context.parameters.get("stream"), StreamName.isValid(stream) else {
            throw RouteRefusal(.badRequest, StreamName.rule)
        }
        return stream
    }

    @discardableResult
    private func authorize(
        _ request: Request, stream: String, action: StreamAction, orOperator: Bool = false,
        acceptingQueryToken: Bool = false
    ) throws(RouteRefusal) -> BearerAuthorization.Authorized {
        do {
            return try authorization.authorize(
                request, stream: stream, action: action, orOperator: orOperator,
                acceptingQueryToken: acceptingQueryToken)
        } catch {
            throw RouteRefusal(response: error.response, reason: error.reason)
        }
    }

    private func viewerOptions(_ request: Request) throws(RouteRefusal) -> ViewerOptions {
        do {
            return try ViewerOptionsQuery.parse(request.uri)
        } catch {
            throw RouteRefusal(.badRequest, error.reason)
        }
    }

    private func body(_ request: inout Request, mediaType: String, accept: HTTPField.Name) async throws(RouteRefusal)
        -> String
    {
        do {
            return try await BoundedBody(limit: configuration.maxSDPBytes).text(
                of: &request, mediaType: mediaType, acceptHeader: accept)
        } catch {
            throw RouteRefusal(response: error.response, reason: error.reason)
        }
    }

    /// `path`, absolute under `publicBaseURL` when one is configured.
    private func location(_ path: String) -> String {
        guard var base = configuration.publicBaseURL else { return path }
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    private func iceServerHeaders() -> HTTPFields {
        var headers = HTTPFields()
        for server in configuration.iceServers {
            headers.append(HTTPField(name: .link, value: server.headerValue))
        }
        return headers
    }

    /// RFC 9725 §4.4 and the Fetch standard's CORS preflight answer.
    private func preflightHeaders(methods: String, accept: HTTPField.Name) -> HTTPFields {
        var headers = iceServerHeaders()
        headers[.accessControlAllowMethods] = methods
        headers[.accessControlAllowHeaders] = "Authorization, Content-Type, If-Match"
        headers[.accessControlMaxAge] = "86400"
        headers[accept] = accept == .acceptPost ? MediaTypes.sdp : MediaTypes.trickleICEFragment
        return headers
    }

    /// Drops remembered credentials of sessions the engine no longer knows.
    private func forgetEnded(_ sessions: [String]) async {
        let live = await control.liveSessionIDs(among: sessions)
        for session in sessions where !live.contains(session) {
            credentials.forget(session)
        }
    }
}

/// A request refused before it reached the engine. Its text is cut to
/// ``ErrorEcho/sentenceBytes``, since it may repeat the request.
struct RouteRefusal: Error {
    let response: Response
    let reason: String

    init(response: Response, reason: String) {
        self.response = response
        self.reason = reason
    }

    init(_ status: HTTPResponse.Status, _ reason: String) {
        let reason = ErrorEcho.capped(reason)
        self.init(response: Responses.text(status, reason), reason: reason)
    }
}
