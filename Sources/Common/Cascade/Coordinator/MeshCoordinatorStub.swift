// STUB — DELETE AT MERGE. Stands in for work other engineers do in parallel, so that the
// `runner` branch builds: MeshCoordinator (Coordinator/), MediaEngine's MeshDataPlane conformance
// (RTC/Engine), ControlServer's `mesh:` parameter, ControlConfiguration.clusterSecret and
// InternalAPIClient (Control). Nothing here does real work.

import Logging
import MeshCluster
import MeshControl
import MeshRTC

/// STUB of the mesh coordinator (the real one lives in Coordinator/ after the merge).
public final class MeshCoordinator: MeshCoordination, Sendable {
    /// STUB.
    public init(
        topology: Topology, nodeID: String, dataPlane: any MeshDataPlane, redis: RedisClient, api: any InternalAPI,
        logger: Logger
    ) {}
    /// STUB: waits until cancelled.
    public func run() async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }
    /// STUB.
    public func updateTopology(_ topology: Topology) {}
    /// STUB.
    public func placeViewer(stream: String, request: PlacementRequest) async -> PlacementVerdict { .here }
    /// STUB.
    public func placePublisher(stream: String, request: PlacementRequest) async -> PlacementVerdict { .here }
    /// STUB.
    public func viewerArrived(stream: String, reservation: String?) async {}
    /// STUB.
    public func acceptLink(_ request: RelayLinkSetupRequest) async throws(InternalRequestError)
        -> RelayLinkSetupResponse
    { throw .unavailable("stub") }
    /// STUB.
    public func subscribe(link: String, _ request: RelaySubscriptionRequest) async throws(InternalRequestError) {
        throw .unavailable("stub")
    }
    /// STUB.
    public func unsubscribe(link: String, stream: String) async throws(InternalRequestError) {}
    /// STUB.
    public func closeLink(_ link: String) async throws(InternalRequestError) {}
    /// STUB.
    public func metricsText() async -> String { "" }
}

extension MediaEngine: MeshDataPlane {
    /// STUB.
    public func acceptLink(_ request: RelayLinkSetupRequest) async throws(RelayLinkError) -> RelayLinkSetupResponse {
        throw .unavailable("stub")
    }
    /// STUB.
    public func forward(stream: String, tracks: [UInt32], onLink linkID: String) async throws(RelayLinkError) {
        throw .unavailable("stub")
    }
    /// STUB.
    public func stopForwarding(stream: String, onLink linkID: String) async throws(RelayLinkError) {}
    /// STUB.
    public func prepareUpstreamLink(to upstreamNode: String) async throws(RelayLinkError) -> RelayLinkSetupRequest {
        throw .unavailable("stub")
    }
    /// STUB.
    public func openUpstreamLink(_ request: RelayLinkSetupRequest, accepted: RelayLinkSetupResponse)
        async throws(RelayLinkError) -> String
    { throw .unavailable("stub") }
    /// STUB.
    public func receive(_ record: StreamRecord, overLink linkID: String) async throws(RelayLinkError) {
        throw .unavailable("stub")
    }
    /// STUB.
    public func stopReceiving(stream: String) async {}
    /// STUB.
    public func closeLink(_ linkID: String, reason: String) async -> Bool { false }
    /// STUB.
    public func carriedStream(_ stream: String) async -> StreamRecord? { nil }
    /// STUB.
    public func meshStatus() async -> MeshDataStatus { MeshDataStatus() }
    /// STUB.
    public func events() -> AsyncStream<MeshDataEvent> { AsyncStream { $0.finish() } }
}

/// STUB of the internal API client (Control).
public struct InternalAPIClient: InternalAPI {
    /// STUB.
    public init(secret: [UInt8], timeout: Duration) {}
    /// STUB.
    public func openLink(apiBase: String, _ request: RelayLinkSetupRequest) async throws(InternalAPIFailure)
        -> RelayLinkSetupResponse
    { throw .unreachable("stub") }
    /// STUB.
    public func subscribe(apiBase: String, link: String, _ request: RelaySubscriptionRequest)
        async throws(InternalAPIFailure)
    { throw .unreachable("stub") }
    /// STUB.
    public func unsubscribe(apiBase: String, link: String, stream: String) async throws(InternalAPIFailure) {}
    /// STUB.
    public func closeLink(apiBase: String, link: String) async throws(InternalAPIFailure) {}
}

extension ControlConfiguration {
    /// STUB: the real stored property comes from Control.
    public var clusterSecret: [UInt8]? {
        get { nil }
        set {}
    }
}

extension ControlServer {
    /// STUB: the real initialiser takes the mesh coordinator.
    public init(
        configuration: ControlConfiguration, control: any MediaNodeControl, mesh: (any MeshCoordination)?,
        logger: Logger
    ) {
        self.init(configuration: configuration, control: control, logger: logger)
    }
}
