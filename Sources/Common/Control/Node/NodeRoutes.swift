import Hummingbird
import MeshCluster
import MeshCrypto
import MeshRTC
import MeshRuntime

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The node's own resources: `/health`, `/ready`, the probes `/health/live` and
/// `/health/ready`, `/metrics`, the stream list, and `PUT` to declare a stream ahead of its
/// publisher. `/metrics` adds the internal API's refusals and, in a mesh, the coordinator's own
/// lines.
struct NodeRoutes: Sendable {
    let control: any MediaNodeControl
    let mesh: (any MeshCoordination)?
    let rejections: InternalRejectionCounter
    let authorization: BearerAuthorization
    let drain: NodeDrainState
    let limiter: RateLimiter?
    let turn: (any TURNStatusSource)?
    let audit: AuditTrail
    /// The role's own lines (``ControlConfiguration/roleMetrics``).
    var roleMetrics: (@Sendable () async -> String)? = nil
    let exporter = NodeMetricsExporter()

    func register(on router: Router<ControlRequestContext>) {
        router.get("/health") { _, _ in
            json(await control.health())
        }
        // Kept beside /health/ready for the supervisors and tests that poll it.
        router.get("/ready") { _, _ in await readiness() }
        router.get("/health/ready") { _, _ in await readiness() }
        router.get("/health/live") { _, _ in
            let liveness = await control.liveness()
            var response = json(liveness)
            if !liveness.isLive { response.status = .serviceUnavailable }
            return response
        }
        router.get("/metrics") { _, _ in
            var text = exporter.export(await control.metrics())
            text += rejections.prometheusText()
            text += ProcessUsage.prometheusText()
            text += StreamMetrics.text(await control.streams())
            if let limiter { text += limiter.prometheusText() }
            if let turn { text += await turn.prometheusText() }
            if let mesh { text += await mesh.metricsText() }
            if let roleMetrics { text += await roleMetrics() }
            return Responses.body(.ok, contentType: MediaTypes.prometheus, text)
        }
        router.get("/v1/streams") { _, _ in
            json(await control.streams())
        }
        router.get("/v1/streams/{stream}") { _, context in
            let name = context.parameters.get("stream")
            guard let stream = await control.streams().first(where: { $0.name == name }) else {
                return Responses.text(.notFound, "unknown stream")
            }
            return json(stream)
        }
        router.put("/v1/streams/{stream}") { request, context in
            await declare(request, context).logged(request, context: context)
        }
        router.get("/v1/mesh") { request, _ in
            await meshOverview(request)
        }
    }

    /// `GET /v1/mesh`: the operator API's check (an operator or admin token for every stream,
    /// revocable and not revoked); 503 without a mesh or while Redis cannot be read.
    private func meshOverview(_ request: Request) async -> Response {
        do {
            _ = try authorization.authorizeOperator(request)
        } catch {
            return error.response
        }
        guard let mesh else { return Responses.text(.serviceUnavailable, "this node runs without a mesh") }
        guard let overview = await mesh.meshOverview() else {
            var response = Responses.text(.serviceUnavailable, "the mesh's Redis cannot be read now")
            response.headers[.retryAfter] = "1"
            return response
        }
        return json(overview)
    }

    private func declare(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        guard let stream = context.parameters.get("stream"), StreamName.isValid(stream) else {
            return RequestOutcome(Responses.text(.badRequest, StreamName.rule), reason: StreamName.rule)
        }
        let bearer: BearerAuthorization.Authorized
        do {
            bearer = try authorization.authorize(request, stream: stream, action: .publish)
        } catch {
            return RequestOutcome(error.response, stream: stream, reason: error.reason)
        }
        await control.declareStream(stream)
        return audit.record(
            "stream.declare", target: "stream/\(stream)", claims: bearer.claims,
            outcome: RequestOutcome(Responses.empty(.noContent), stream: stream, reason: "stream declared"),
            request: request, context: context)
    }

    /// Whether the node takes new sessions now: its engine runs and it is not draining.
    private func readiness() async -> Response {
        if drain.isDraining { return Responses.text(.serviceUnavailable, "draining") }
        return await control.isReady()
            ? Responses.text(.ok, "ready") : Responses.text(.serviceUnavailable, "not ready")
    }

    private func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Responses.body(
                .ok, contentType: MediaTypes.json, String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            return Responses.text(.internalServerError, "could not encode JSON: \(error)")
        }
    }
}
