import HTTPTypes
import Hummingbird
import MeshCluster
import MeshRTC

/// The operator API's mesh commands (issue 15, items 3 and 6): the HTTP form of
/// `meshcast node drain` and `meshcast topology apply`, for an operator or admin token only
/// (``BearerAuthorization/authorizeOperator(_:)``), each call audited with its result.
///
/// - `POST /v1/nodes/{id}/drain`: sets the node's drain mark (placement sends it nothing new;
///   the mark outlives its heartbeats) → 200 `{"node","draining":true,"running"}`; 404 for a
///   node the topology does not name. `DELETE` clears the mark (`"draining":false`).
/// - `POST /v1/topology` with the topology file as `application/yaml`: validated like
///   `meshcast topology validate` (422 with every diagnostic), refused for another mesh's name
///   (409: its keys would be another mesh's), then published for every node to follow → 200
///   `{"mesh","plan"}`.
///
/// Both answer 503 (with `Retry-After`) on a node without a mesh or while Redis is away.
struct MeshOperatorRoutes: Sendable {
    let operations: MeshOperations?
    let authorization: BearerAuthorization
    let audit: AuditTrail

    /// The largest topology file read (a 500-node mesh is about 100 KB of YAML).
    static let maximumTopologyBytes = 1024 * 1024
    /// The media type of a topology body (RFC 9512).
    static let yaml = "application/yaml"

    func register(on router: Router<ControlRequestContext>) {
        router.post("/v1/nodes/{node}/drain") { request, context in
            await drain(request, context, true).logged(request, context: context)
        }
        router.delete("/v1/nodes/{node}/drain") { request, context in
            await drain(request, context, false).logged(request, context: context)
        }
        router.post("/v1/topology") { request, context in
            await apply(request, context).logged(request, context: context)
        }
    }

    private func drain(_ request: Request, _ context: ControlRequestContext, _ on: Bool) async -> RequestOutcome {
        let node = context.parameters.get("node") ?? ""
        let bearer: BearerAuthorization.Authorized
        do {
            bearer = try authorization.authorizeOperator(request)
        } catch {
            return RequestOutcome(error.response, reason: error.reason)
        }
        let action = on ? "node.drain" : "node.undrain"
        let target = "node/\(ErrorEcho.capped(node, bytes: 64))"
        let outcome: RequestOutcome
        if let operations {
            outcome = await drain(node, on, operations)
        } else {
            outcome = Self.withoutMesh
        }
        return audit.record(
            action, target: target, claims: bearer.claims, outcome: outcome, request: request, context: context)
    }

    private func drain(_ node: String, _ on: Bool, _ operations: MeshOperations) async -> RequestOutcome {
        let known = operations.topology().nodes.map(\.id)
        guard known.contains(node) else {
            let reason = "no node '\(ErrorEcho.echoed(node))' in the topology (nodes: \(known.joined(separator: ", ")))"
            return RequestOutcome(Responses.text(.notFound, reason), reason: reason)
        }
        do {
            let running = try await operations.setDraining(node, on)
            let body = #"{"node":\#(Self.jsonString(node)),"draining":\#(on),"running":\#(running)}"#
            return RequestOutcome(
                Responses.body(.ok, contentType: MediaTypes.json, body),
                reason: on ? "\(node) draining" : "\(node) no longer draining")
        } catch {
            return Self.redisAway("drain", error)
        }
    }

    private func apply(_ request: Request, _ context: ControlRequestContext) async -> RequestOutcome {
        var request = request
        let bearer: BearerAuthorization.Authorized
        do {
            bearer = try authorization.authorizeOperator(request)
        } catch {
            return RequestOutcome(error.response, reason: error.reason)
        }
        var outcome = Self.withoutMesh
        var mesh: String?
        if let operations {
            do {
                let text = try await BoundedBody(limit: Self.maximumTopologyBytes).text(
                    of: &request, mediaType: Self.yaml, acceptHeader: .acceptPost)
                (outcome, mesh) = await apply(text, operations)
            } catch {
                outcome = RequestOutcome(error.response, reason: error.reason)
            }
        }
        return audit.record(
            "topology.apply", target: "topology/\(mesh ?? "-")", claims: bearer.claims, outcome: outcome,
            request: request, context: context)
    }

    /// Validates and publishes `text`; the outcome and the mesh name the file gives, if it loads.
    private func apply(_ text: String, _ operations: MeshOperations) async -> (RequestOutcome, String?) {
        let topology: Topology
        do {
            topology = try TopologyLoader.load(yaml: text, file: "topology")
        } catch {
            let reason = "the topology is not valid:\n\(error.description)"
            return (RequestOutcome(Responses.text(.unprocessableContent, reason), reason: reason), nil)
        }
        let running = operations.topology().mesh
        guard topology.mesh == running else {
            let reason = "this node's mesh is '\(running)', the topology is for '\(topology.mesh)'"
            return (RequestOutcome(Responses.text(.conflict, reason), reason: reason), topology.mesh)
        }
        do {
            let plan = try await operations.applyTopology(topology)
            let body = #"{"mesh":\#(Self.jsonString(topology.mesh)),"plan":\#(Self.jsonString(plan))}"#
            return (
                RequestOutcome(Responses.body(.ok, contentType: MediaTypes.json, body), reason: "topology applied"),
                topology.mesh
            )
        } catch {
            return (Self.redisAway("apply", error), topology.mesh)
        }
    }

    private static let withoutMesh = RequestOutcome(
        Responses.text(.serviceUnavailable, "this node runs without a mesh"), reason: "no mesh")

    private static func redisAway(_ what: String, _ error: any Error) -> RequestOutcome {
        RequestOutcome(
            Responses.text(
                .serviceUnavailable, "\(what) needs the mesh's Redis, which is away: try again",
                headers: [.retryAfter: "1"]),
            reason: "\(what) failed: \(error)")
    }

    /// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
