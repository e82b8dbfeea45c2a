import MeshRTC

extension MeshCoordinator {
    /// Gets this node `stream`'s tracks, joining its relay tree as an edge does for its first
    /// viewer (path from placement, one relay link, NACKs and key-frame requests upstream hop by
    /// hop). A recorder calls it before tapping the stream. Returns nil once the stream is
    /// carried here, else a sentence saying why it is not.
    public func carry(_ stream: String) async -> String? {
        switch await carrier.ensureCarrying(stream) {
        case .success: nil
        case .failure(let failure): failure.description
        }
    }
}
