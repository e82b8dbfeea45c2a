import MeshCluster
import MeshRTC
import Synchronization

/// An in-memory data plane standing in for a node's media engine: it keeps links and carried
/// streams as plain values and records every call, in order, as a short line.
final class FakeDataPlane: MeshDataPlane {
    struct State {
        var links: [LinkSnapshot] = []
        var streams: [CarriedStreamSnapshot] = []
        var calls: [String] = []
        var nextLink = 0
    }

    let nodeID: String
    let state = Mutex(State())
    let eventStream: AsyncStream<MeshDataEvent>
    let eventSink: AsyncStream<MeshDataEvent>.Continuation

    init(nodeID: String) {
        self.nodeID = nodeID
        (eventStream, eventSink) = AsyncStream.makeStream(of: MeshDataEvent.self)
    }

    var calls: [String] { state.withLock { $0.calls } }

    // MARK: Test set-up

    /// A publisher on this node went live with `record`.
    func publish(_ record: StreamRecord) {
        state.withLock {
            $0.streams.append(
                CarriedStreamSnapshot(record: record, source: .publisher, viewers: 0, downstreamLinks: []))
        }
    }

    /// The publisher of `stream` left for good: the data plane forgets the stream.
    func unpublish(_ stream: String) {
        state.withLock { $0.streams.removeAll { $0.record.name == stream } }
    }

    /// This node already receives `record` over link `linkID` from `upstream`.
    func receiving(_ record: StreamRecord, overLink linkID: String, from upstream: String, viewers: Int) {
        state.withLock {
            $0.links.append(
                LinkSnapshot(
                    id: linkID, end: .downstream, peerNode: upstream,
                    peerAddress: LinkAddress(host: "127.0.0.1", port: 40000), worker: 0, streams: [record.name],
                    roundTripMilliseconds: 12, fractionLost: 0.25, packets: 900, retransmissions: 7, dropped: 3))
            $0.streams.append(
                CarriedStreamSnapshot(
                    record: record, source: .link(linkID: linkID, upstreamNode: upstream), viewers: viewers,
                    downstreamLinks: []))
        }
    }

    func stream(_ name: String) -> CarriedStreamSnapshot? {
        state.withLock { $0.streams.first { $0.record.name == name } }
    }

    // MARK: MeshDataPlane

    func acceptLink(_ request: LinkSetupRequest) async throws(LinkError) -> LinkSetupResponse {
        state.withLock { state in
            state.nextLink += 1
            let id = "\(nodeID)>\(request.downstreamNode)#\(state.nextLink)"
            state.calls.append("acceptLink \(request.downstreamNode)")
            state.links.append(
                LinkSnapshot(
                    id: id, end: .upstream, peerNode: request.downstreamNode, peerAddress: request.downstreamAddress,
                    worker: 0, streams: []))
            return LinkSetupResponse(
                linkID: id, upstreamNode: nodeID, upstreamAddress: LinkAddress(host: "127.0.0.1", port: 40001),
                keys: request.keys)
        }
    }

    func forward(stream: String, tracks: [UInt32], onLink linkID: String) async throws(LinkError) {
        try state.withLock { state throws(LinkError) in
            guard let link = state.links.firstIndex(where: { $0.id == linkID }) else { throw .unknownLink(linkID) }
            guard let carried = state.streams.firstIndex(where: { $0.record.name == stream }) else {
                throw .unknownStream(stream)
            }
            state.calls.append("forward \(stream) on \(linkID)")
            state.links[link].streams.append(stream)
            state.streams[carried].downstreamLinks.append(linkID)
        }
    }

    func stopForwarding(stream: String, onLink linkID: String) async throws(LinkError) {
        try state.withLock { state throws(LinkError) in
            guard let link = state.links.firstIndex(where: { $0.id == linkID }) else { throw .unknownLink(linkID) }
            state.calls.append("stopForwarding \(stream) on \(linkID)")
            state.links[link].streams.removeAll { $0 == stream }
            for index in state.streams.indices where state.streams[index].record.name == stream {
                state.streams[index].downstreamLinks.removeAll { $0 == linkID }
            }
        }
    }

    func prepareUpstreamLink(to upstreamNode: String) async throws(LinkError) -> LinkSetupRequest {
        state.withLock { $0.calls.append("prepare \(upstreamNode)") }
        return LinkSetupRequest(
            downstreamNode: nodeID, upstreamNode: upstreamNode,
            downstreamAddress: LinkAddress(host: "127.0.0.1", port: 40002),
            keys: .generate())
    }

    func openUpstreamLink(_ request: LinkSetupRequest, accepted: LinkSetupResponse)
        async throws(LinkError) -> String
    {
        state.withLock { state in
            state.calls.append("open \(accepted.linkID)")
            state.links.append(
                LinkSnapshot(
                    id: accepted.linkID, end: .downstream, peerNode: accepted.upstreamNode,
                    peerAddress: accepted.upstreamAddress, worker: 0, streams: []))
        }
        return accepted.linkID
    }

    func receive(_ record: StreamRecord, overLink linkID: String) async throws(LinkError) {
        try state.withLock { state throws(LinkError) in
            guard let link = state.links.firstIndex(where: { $0.id == linkID && $0.end == .downstream }) else {
                throw .unknownLink(linkID)
            }
            state.calls.append("receive \(record.name) over \(linkID)")
            let source = CarriedStreamSnapshot.Source.link(linkID: linkID, upstreamNode: state.links[link].peerNode)
            for index in state.links.indices { state.links[index].streams.removeAll { $0 == record.name } }
            state.links[link].streams.append(record.name)
            if let carried = state.streams.firstIndex(where: { $0.record.name == record.name }) {
                state.streams[carried].source = source
                state.streams[carried].record = record
            } else {
                state.streams.append(
                    CarriedStreamSnapshot(record: record, source: source, viewers: 0, downstreamLinks: []))
            }
        }
    }

    func stopReceiving(stream: String) async {
        state.withLock { state in
            state.calls.append("stopReceiving \(stream)")
            state.streams.removeAll { $0.record.name == stream }
            for index in state.links.indices where state.links[index].end == .downstream {
                state.links[index].streams.removeAll { $0 == stream }
            }
        }
    }

    func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int {
        state.withLock { state in
            state.calls.append("test drop \(downstreamNode) \(rate)")
            return state.links.count
        }
    }

    func closeLink(_ linkID: String, reason: String) async -> Bool {
        state.withLock { state in
            state.calls.append("close \(linkID)")
            guard state.links.contains(where: { $0.id == linkID }) else { return false }
            state.links.removeAll { $0.id == linkID }
            for index in state.streams.indices {
                if case .link(let id, _) = state.streams[index].source, id == linkID {
                    state.streams[index].source = .none
                }
                state.streams[index].downstreamLinks.removeAll { $0 == linkID }
            }
            return true
        }
    }

    func carriedStream(_ stream: String) async -> StreamRecord? {
        state.withLock { $0.streams.first { $0.record.name == stream }?.record }
    }

    func meshStatus() async -> MeshDataStatus {
        state.withLock { MeshDataStatus(links: $0.links, streams: $0.streams) }
    }

    func events() -> AsyncStream<MeshDataEvent> { eventStream }
}
