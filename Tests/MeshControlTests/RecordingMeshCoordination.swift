import MeshControl
import MeshRTC
import Synchronization

/// A stand-in for the mesh coordinator: it answers from a script and records every call, so
/// that placement and the internal API can be checked without Redis or other nodes.
final class RecordingMeshCoordination: MeshCoordination {
    /// One call the routes made.
    enum Call: Equatable {
        case placeViewer(stream: String, request: PlacementRequest)
        case placePublisher(stream: String, request: PlacementRequest)
        case viewerArrived(stream: String, grant: String?)
        case publisherSettled(stream: String, published: Bool)
        case acceptLink(LinkSetupRequest)
        case subscribe(link: String, RelaySubscriptionRequest)
        case unsubscribe(link: String, stream: String)
        case closeLink(String)
        case setTestLinkDrop(toNode: String, rate: Double)
    }

    /// What the coordinator will answer.
    struct Script {
        var viewerVerdict = PlacementVerdict.here
        var publisherVerdict = PlacementVerdict.here
        /// Links that exist; requests naming any other get ``InternalRequestError/unknownLink(_:)``.
        var links: Set<String> = ["link-1"]
        var acceptError: InternalRequestError?
        var metricsText = "meshcast_mesh_links 1\n"
        /// What `GET /v1/mesh` shows; `nil`: Redis cannot be read.
        var overview: MeshOverview?
    }

    private let state: Mutex<(script: Script, calls: [Call])>

    init(_ script: Script = Script()) {
        state = Mutex((script, []))
    }

    var calls: [Call] { state.withLock { $0.calls } }

    private func record(_ call: Call) -> Script {
        state.withLock { state in
            state.calls.append(call)
            return state.script
        }
    }

    func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        record(.placeViewer(stream: stream, request: request)).viewerVerdict
    }

    func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict {
        record(.placePublisher(stream: stream, request: request)).publisherVerdict
    }

    func viewerArrived(stream: String, grant: String?) async {
        _ = record(.viewerArrived(stream: stream, grant: grant))
    }

    func publisherSettled(stream: String, published: Bool) async {
        _ = record(.publisherSettled(stream: stream, published: published))
    }

    func acceptLink(_ request: LinkSetupRequest) async throws(InternalRequestError) -> LinkSetupResponse {
        if let error = record(.acceptLink(request)).acceptError { throw error }
        return LinkSetupResponse(
            linkID: "link-1", upstreamNode: "origin-1",
            upstreamAddress: LinkAddress(host: "127.0.0.1", port: 40000),
            keys: request.keys)
    }

    func subscribe(link: String, _ request: RelaySubscriptionRequest) async throws(InternalRequestError) {
        guard record(.subscribe(link: link, request)).links.contains(link) else { throw .unknownLink(link) }
    }

    func unsubscribe(link: String, stream: String) async throws(InternalRequestError) {
        guard record(.unsubscribe(link: link, stream: stream)).links.contains(link) else { throw .unknownLink(link) }
    }

    func closeLink(_ link: String) async throws(InternalRequestError) {
        guard record(.closeLink(link)).links.contains(link) else { throw .unknownLink(link) }
    }

    func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int {
        record(.setTestLinkDrop(toNode: downstreamNode, rate: rate)).links.count
    }

    func metricsText() async -> String { state.withLock { $0.script.metricsText } }

    func meshOverview() async -> MeshOverview? { state.withLock { $0.script.overview } }
}
