import MeshCascade
import MeshCluster
import MeshControl
import MeshRTC
import Synchronization

/// The internal API between in-memory nodes: each call is recorded as a short line naming the
/// node called, then handed to that node's coordinator, as the HTTP server would. Nodes in
/// `unreachable` (or with no coordinator) answer like a dead host.
final class FakeMesh: InternalAPI {
    struct State {
        var coordinators: [String: MeshCoordinator] = [:]
        var unreachable: Set<String> = []
        var calls: [String] = []
        var subscriptions: [RelaySubscriptionRequest] = []
    }

    let topology: Topology
    let state = Mutex(State())

    init(topology: Topology) {
        self.topology = topology
    }

    var calls: [String] { state.withLock { $0.calls } }
    var subscriptions: [RelaySubscriptionRequest] { state.withLock { $0.subscriptions } }

    func add(_ node: String, _ coordinator: MeshCoordinator) {
        state.withLock { $0.coordinators[node] = coordinator }
    }

    func makeUnreachable(_ node: String) {
        state.withLock { _ = $0.unreachable.insert(node) }
    }

    /// The coordinator behind `apiBase`, after recording `call` against its node.
    private func target(_ apiBase: String, _ call: String) throws(InternalAPIFailure) -> MeshCoordinator {
        let node = topology.nodes.first { "http://\($0.api)" == apiBase }?.id ?? apiBase
        let coordinator = state.withLock { state -> MeshCoordinator? in
            state.calls.append("\(call) \(node)")
            return state.unreachable.contains(node) ? nil : state.coordinators[node]
        }
        guard let coordinator else { throw .unreachable("connection refused by \(node)") }
        return coordinator
    }

    private static func failure(_ error: InternalRequestError) -> InternalAPIFailure {
        switch error {
        case .unknownLink, .unknownStream: .rejected(status: 404, body: error.description)
        case .invalid: .rejected(status: 400, body: error.description)
        case .unavailable: .rejected(status: 503, body: error.description)
        }
    }

    func openLink(apiBase: String, _ request: LinkSetupRequest) async throws(InternalAPIFailure)
        -> LinkSetupResponse
    {
        let node = try target(apiBase, "openLink")
        do throws(InternalRequestError) { return try await node.acceptLink(request) } catch {
            throw Self.failure(error)
        }
    }

    func subscribe(apiBase: String, link: String, _ request: RelaySubscriptionRequest) async throws(InternalAPIFailure)
    {
        state.withLock { $0.subscriptions.append(request) }
        let node = try target(apiBase, "subscribe \(link) \(request.stream) on")
        do throws(InternalRequestError) { try await node.subscribe(link: link, request) } catch {
            throw Self.failure(error)
        }
    }

    func unsubscribe(apiBase: String, link: String, stream: String) async throws(InternalAPIFailure) {
        let node = try target(apiBase, "unsubscribe \(link) \(stream) on")
        do throws(InternalRequestError) { try await node.unsubscribe(link: link, stream: stream) } catch {
            throw Self.failure(error)
        }
    }

    func closeLink(apiBase: String, link: String) async throws(InternalAPIFailure) {
        let node = try target(apiBase, "closeLink \(link) on")
        do throws(InternalRequestError) { try await node.closeLink(link) } catch {
            throw Self.failure(error)
        }
    }
}
