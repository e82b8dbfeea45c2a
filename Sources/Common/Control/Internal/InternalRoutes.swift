import HTTPTypes
import Hummingbird
import MeshCrypto
import MeshRTC

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The internal API other nodes of the mesh call (relay link set-up and subscriptions). Every
/// request must carry an ``InternalRequestSignature`` made with the cluster secret, used once;
/// link keys travel sealed (``LinkKeySeal``). Anything refused here is counted and never
/// reaches the coordinator.
struct InternalRoutes: Sendable {
    /// The largest body accepted, in bytes.
    static let maxBodyBytes = 64 * 1024

    let mesh: (any MeshCoordination)?
    let clusterSecret: [UInt8]?
    let rejections: InternalRejectionCounter
    /// `MESHCAST_TEST_FAULTS=1`: the test-fault routes answer (load tests inject faults).
    let testFaults: Bool
    /// The nonces of the signatures accepted within the skew window, shared by every route.
    let nonces = InternalNonceMemory()

    /// The body of `POST /internal/v1/test/link-drop`.
    struct LinkDropRequest: Codable, Sendable {
        /// The downstream node whose links lose packets.
        var to: String
        /// Share of first transmissions dropped, 0…1.
        var rate: Double
    }

    func register(on router: Router<ControlRequestContext>) {
        router.post("/internal/v1/links") { request, context in
            await openLink(request, context).logged(request, context: context)
        }
        router.post("/internal/v1/links/{link}/subscriptions") { request, context in
            await subscribe(request, context).logged(request, context: context)
        }
        router.delete("/internal/v1/links/{link}/subscriptions/{stream}") { request, context in
            await unsubscribe(request, context).logged(request, context: context)
        }
        router.delete("/internal/v1/links/{link}") { request, context in
            await closeLink(request, context).logged(request, context: context)
        }
        router.post("/internal/v1/test/link-drop") { request, context in
            await linkDrop(request, context).logged(request, context: context)
        }
    }

    // MARK: Routes

    private func openLink(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        let mesh: any MeshCoordination
        let seal: LinkKeySeal
        let setup: LinkSetupRequest
        do throws(InternalRefusal) {
            let admitted = try await admit(request, expectingJSON: true)
            mesh = admitted.mesh
            seal = try keySeal(admitted.secret)
            setup = try opened(try decode(SealedLinkSetupRequest.self, admitted.body), with: seal)
        } catch {
            return refused(error)
        }
        let accepted: LinkSetupResponse
        do {
            accepted = try await mesh.acceptLink(setup)
        } catch {
            return failed(error, "link from \(setup.downstreamNode) refused")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard
            let answer = try? SealedLinkSetupResponse(sealing: accepted, to: setup.downstreamNode, with: seal),
            let json = try? encoder.encode(answer)
        else {
            return RequestOutcome(
                Responses.text(.internalServerError, "could not seal the link answer"), reason: "sealing failed")
        }
        let response = Responses.body(
            .created, contentType: MediaTypes.json, String(decoding: json, as: UTF8.self),
            headers: [.location: "/internal/v1/links/\(accepted.linkID)"])
        return RequestOutcome(response, reason: "link \(accepted.linkID) opened for \(setup.downstreamNode)")
    }

    private func subscribe(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        let link = context.parameters.get("link") ?? ""
        let mesh: any MeshCoordination
        let subscription: RelaySubscriptionRequest
        do throws(InternalRefusal) {
            let admitted = try await admit(request, expectingJSON: true)
            mesh = admitted.mesh
            subscription = try decode(RelaySubscriptionRequest.self, admitted.body)
        } catch {
            return refused(error)
        }
        do {
            try await mesh.subscribe(link: link, subscription)
        } catch {
            return failed(
                error, "subscription of \(subscription.stream) on link \(link) refused", stream: subscription.stream)
        }
        return RequestOutcome(
            Responses.empty(.noContent), stream: subscription.stream, reason: "link \(link) subscribed")
    }

    private func unsubscribe(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        let link = context.parameters.get("link") ?? ""
        let stream = context.parameters.get("stream") ?? ""
        let mesh: any MeshCoordination
        do throws(InternalRefusal) {
            mesh = try await admit(request, expectingJSON: false).mesh
        } catch {
            return refused(error)
        }
        do {
            try await mesh.unsubscribe(link: link, stream: stream)
        } catch {
            return failed(error, "unsubscription of \(stream) on link \(link) refused", stream: stream)
        }
        return RequestOutcome(Responses.empty(.noContent), stream: stream, reason: "link \(link) unsubscribed")
    }

    private func closeLink(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        let link = context.parameters.get("link") ?? ""
        let mesh: any MeshCoordination
        do throws(InternalRefusal) {
            mesh = try await admit(request, expectingJSON: false).mesh
        } catch {
            return refused(error)
        }
        do {
            try await mesh.closeLink(link)
        } catch {
            return failed(error, "closing link \(link) refused")
        }
        return RequestOutcome(Responses.empty(.noContent), reason: "link \(link) closed")
    }

    private func linkDrop(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        guard testFaults else {
            return refused(
                InternalRefusal(
                    .notFound, "test faults are off (MESHCAST_TEST_FAULTS=1 turns them on)",
                    metric: "test_faults_off"))
        }
        let mesh: any MeshCoordination
        let drop: LinkDropRequest
        do throws(InternalRefusal) {
            let admitted = try await admit(request, expectingJSON: true)
            mesh = admitted.mesh
            drop = try decode(LinkDropRequest.self, admitted.body)
            guard (0...1).contains(drop.rate) else {
                throw InternalRefusal(
                    .badRequest, "rate must be within 0…1, not \(drop.rate)", metric: "malformed_json")
            }
        } catch {
            return refused(error)
        }
        let links = await mesh.setTestLinkDrop(toNode: drop.to, rate: drop.rate)
        return RequestOutcome(
            Responses.text(.ok, "dropping \(drop.rate * 100) % to \(drop.to) on \(links) open links"),
            reason: "test fault: link drop to \(drop.to) at \(drop.rate)")
    }

    // MARK: Admission

    /// Checks, in order: a mesh and a cluster secret exist (503), the body fits (413), the
    /// signature covers this method, target (path and query), time, nonce and body (401), its
    /// nonce was not used before (401) and there is room to remember it (503), and a JSON body
    /// says so (415).
    private func admit(_ request: Request, expectingJSON: Bool) async throws(InternalRefusal)
        -> (mesh: any MeshCoordination, secret: [UInt8], body: [UInt8])
    {
        guard let mesh else {
            throw InternalRefusal(.serviceUnavailable, "this node runs without a mesh", metric: "no_mesh")
        }
        guard let clusterSecret else {
            throw InternalRefusal(
                .serviceUnavailable, "this node has no cluster secret configured", metric: "no_cluster_secret")
        }
        let body = try await bodyBytes(request)
        let now = Int64(Date().timeIntervalSince1970)
        let stamp: InternalRequestSignature.Stamp
        do {
            // The target exactly as it came on the request line: path and query, undecoded.
            stamp = try InternalRequestSignature(secret: clusterSecret).check(
                request.headers[.meshcastSignature], method: request.method.rawValue, target: request.head.path ?? "",
                body: body, now: now)
        } catch {
            throw InternalRefusal(.unauthorized, error.description, metric: error.metricReason)
        }
        switch nonces.admit(stamp.nonce, signedAt: stamp.time, now: now) {
        case .fresh:
            break
        case .replayed:
            let replayed = InternalRequestSignature.Rejection.replayed
            throw InternalRefusal(.unauthorized, replayed.description, metric: replayed.metricReason)
        case .full:
            throw InternalRefusal(
                .serviceUnavailable,
                "too many signed requests in the last \(InternalRequestSignature.maxSkewSeconds) s",
                metric: "nonce_memory_full", headers: [.retryAfter: "1"])
        }
        if expectingJSON && !MediaTypes.matches(request.headers[.contentType], MediaTypes.json) {
            throw InternalRefusal(
                .unsupportedMediaType,
                "Content-Type must be \(MediaTypes.json), not \(request.headers[.contentType] ?? "none")",
                metric: "unsupported_media_type")
        }
        return (mesh, clusterSecret, body)
    }

    private func bodyBytes(_ request: Request) async throws(InternalRefusal) -> [UInt8] {
        let tooLarge = InternalRefusal(
            .contentTooLarge, "body larger than \(Self.maxBodyBytes) bytes", metric: "body_too_large")
        // Refuse a declared oversize body before reading a byte of it.
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > Self.maxBodyBytes {
            throw tooLarge
        }
        var request = request
        do {
            return Array(buffer: try await request.collectBody(upTo: Self.maxBodyBytes))
        } catch {
            throw tooLarge
        }
    }

    private func decode<Body: Decodable>(_ type: Body.Type, _ body: [UInt8]) throws(InternalRefusal) -> Body {
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch {
            throw InternalRefusal(
                .badRequest, "the body is not a valid \(type) in JSON: \(String(describing: error).prefix(300))",
                metric: "malformed_json")
        }
    }

    private func keySeal(_ secret: [UInt8]) throws(InternalRefusal) -> LinkKeySeal {
        do {
            return try LinkKeySeal(clusterSecret: secret)
        } catch {
            throw InternalRefusal(
                .internalServerError, "link keys cannot be sealed here: \(error)", metric: "crypto_failure")
        }
    }

    /// The request with its keys opened; keys that are not a sealed box of ours, or that were
    /// sealed for another request, are a 400 (never a trap).
    private func opened(_ sealed: SealedLinkSetupRequest, with seal: LinkKeySeal) throws(InternalRefusal)
        -> LinkSetupRequest
    {
        do {
            return try sealed.opened(with: seal)
        } catch {
            let metric =
                switch error {
                case .malformed: "malformed_sealed_keys"
                case .unopenable: "unopenable_sealed_keys"
                }
            throw InternalRefusal(.badRequest, "bad sealedKeys: \(error)", metric: metric)
        }
    }

    // MARK: Answers

    private func refused(_ refusal: InternalRefusal) -> RequestOutcome {
        rejections.count(refusal.metric)
        return RequestOutcome(
            Responses.text(refusal.status, refusal.reason, headers: refusal.headers), reason: refusal.reason)
    }

    private func failed(_ error: InternalRequestError, _ what: String, stream: String? = nil) -> RequestOutcome {
        let status: HTTPResponse.Status =
            switch error {
            case .unknownLink, .unknownStream: .notFound
            case .invalid: .badRequest
            case .unavailable: .serviceUnavailable
            }
        return RequestOutcome(Responses.text(status, error.description), stream: stream, reason: "\(what): \(error)")
    }
}

/// An internal request refused before the coordinator, with the `reason` label it is counted under.
struct InternalRefusal: Error {
    let status: HTTPResponse.Status
    let reason: String
    let metric: String
    let headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ reason: String, metric: String, headers: HTTPFields = [:]) {
        self.status = status
        self.reason = reason
        self.metric = metric
        self.headers = headers
    }
}
