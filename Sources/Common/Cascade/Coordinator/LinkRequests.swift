import Logging
import MeshControl
import MeshRTC

/// Serves the internal API's link requests from downstream nodes: opens the sending end of a
/// link, and starts or stops forwarding streams on it. A relay asked for a stream it lacks
/// joins the stream's tree first.
struct LinkRequests: Sendable {
    /// This node's id.
    let nodeID: String
    let dataPlane: any MeshDataPlane
    let carrier: StreamCarrier
    let logger: Logger

    /// `POST /internal/v1/links`: the data plane opens the sending end of a link asked of this node.
    func acceptLink(_ request: LinkSetupRequest) async throws(InternalRequestError) -> LinkSetupResponse {
        // The request's keys are sealed to the node it names, and the request is signed; a
        // request naming another node was captured on its way there and replayed here.
        guard request.upstreamNode == nodeID else {
            throw .invalid("the link request is addressed to node '\(request.upstreamNode)', not to '\(nodeID)'")
        }
        do throws(LinkError) {
            let response = try await dataPlane.acceptLink(request)
            logger.info("mesh: link \(response.linkID) to \(request.downstreamNode) accepted")
            return response
        } catch {
            throw error.internalRequestError
        }
    }

    /// `POST /internal/v1/links/{link}/subscriptions`: a relay that lacks the stream joins the
    /// tree itself first (with the record the request carries, so Redis is not needed).
    func subscribe(link: String, _ request: RelaySubscriptionRequest) async throws(InternalRequestError) {
        guard request.record.name == request.stream else {
            throw .invalid("subscription names '\(request.stream)' but carries the record of '\(request.record.name)'")
        }
        if case .failure(let failure) = await carrier.ensureCarrying(request.stream, record: request.record) {
            throw failure.internalRequestError
        }
        do throws(LinkError) {
            try await dataPlane.forward(stream: request.stream, tracks: request.tracks, onLink: link)
        } catch {
            throw error.internalRequestError
        }
    }

    /// `DELETE /internal/v1/links/{link}/subscriptions/{stream}`.
    func unsubscribe(link: String, stream: String) async throws(InternalRequestError) {
        do throws(LinkError) {
            try await dataPlane.stopForwarding(stream: stream, onLink: link)
        } catch {
            throw error.internalRequestError
        }
    }

    /// `POST /internal/v1/test/link-drop` (`MESHCAST_TEST_FAULTS=1` only).
    func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int {
        await dataPlane.setTestLinkDrop(toNode: downstreamNode, rate: rate)
    }

    /// `DELETE /internal/v1/links/{link}`.
    func closeLink(_ link: String) async throws(InternalRequestError) {
        guard await dataPlane.closeLink(link, reason: "closed by the downstream node") else {
            throw .unknownLink(link)
        }
    }
}
