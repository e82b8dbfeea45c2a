import Foundation
import Hummingbird
import MeshCluster
import MeshControl

/// `/v1/recordings` on a mesh node that is not a recorder: a `307 Temporary Redirect` to a
/// recorder, which keeps the method and the body (RFC 9110 §15.4.8). `POST /v1/recordings`
/// goes to the recorder that rendezvous hashing of the stream picks (``RecorderChoice``, the
/// one the policy would record it on); a request about one recording goes to the recorder the
/// hash of its id picks, which answers it from the shared catalog or, when the files are on
/// another recorder (the catalog row's node), redirects once more to that one; the list (the
/// catalog is shared) goes to the one the empty key picks. The operator token is checked here first, so a bad one is refused
/// without a hop; clients re-send their `Authorization` to the `Location` (most drop it when a
/// redirect changes the port).
public struct RecordingsRedirect: Sendable {
    let topology: @Sendable () -> Topology
    /// The largest `POST /v1/recordings` body read for its stream.
    static let bodyLimit = 4096

    /// Redirects for the topology `topology` returns (read per request: it follows changes).
    public init(topology: @escaping @Sendable () -> Topology) {
        self.topology = topology
    }

    /// The recordings API's paths, each answered with a redirect.
    static let routes: [(HTTPRequest.Method, RouterPath)] = [
        (.get, "/v1/recordings"), (.get, "/v1/recordings/{id}"), (.delete, "/v1/recordings/{id}"),
        (.post, "/v1/recordings/{id}/stop"), (.post, "/v1/recordings/{id}/jobs"), (.get, "/v1/recordings/{id}/media"),
        (.get, "/v1/recordings/{id}/mp4"), (.get, "/v1/recordings/{id}/segments/{sequence}"),
    ]

    /// Registers the redirects on `router`.
    public func register(on router: Router<ControlRequestContext>, gate: OperatorGate) {
        router.post("/v1/recordings") { request, _ in
            if let refusal = gate.refusal(for: request) { return refusal }
            var request = request
            let body = try? await request.collectBody(upTo: Self.bodyLimit)
            let stream = body.flatMap { try? JSONDecoder().decode(Start.self, from: Data($0.readableBytesView)) }?
                .stream
            return redirect(request, key: stream ?? "")
        }
        for (method, path) in Self.routes {
            router.on(path, method: method) { request, context in
                if let refusal = gate.refusal(for: request) { return refusal }
                return redirect(request, key: context.parameters.get("id")?.lowercased() ?? "")
            }
        }
    }

    /// `307` to the recorder `key` hashes to; `404` when the topology has no recorder.
    func redirect(_ request: Request, key: String) -> Response {
        let topology = topology()
        guard let recorder = RecorderChoice.recorder(for: key, in: topology), let node = topology.node(id: recorder)
        else {
            return Self.text(.notFound, "this mesh has no recorder node: recordings are not kept")
        }
        var target = "http://\(node.api)\(request.uri.path)"
        if let query = request.uri.query, !query.isEmpty { target += "?\(query)" }
        return Self.text(.temporaryRedirect, "recordings are on \(recorder)", location: target)
    }

    static func text(_ status: HTTPResponse.Status, _ message: String, location: String? = nil) -> Response {
        let body = ByteBuffer(string: message + "\n")
        var headers: HTTPFields = [
            .contentType: "text/plain; charset=utf-8", .contentLength: String(body.readableBytes),
        ]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    private struct Start: Decodable {
        let stream: String
    }
}
