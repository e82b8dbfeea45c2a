import MeshCrypto

/// `POST /internal/v1/links` as JSON: a ``LinkSetupRequest`` whose keys are sealed
/// (``LinkKeySeal``) to this request's nodes and address:
///
/// ```json
/// {"downstreamNode": "edge-1", "upstreamNode": "origin-1",
///  "downstreamAddress": {"host": "10.0.0.3", "port": 41000},
///  "sealedKeys": {"version": 1, "box": "..."}}
/// ```
public struct SealedLinkSetupRequest: Sendable, Hashable, Codable {
    /// The node asking (the link's downstream end).
    public var downstreamNode: String
    /// The node asked (the link's upstream end).
    public var upstreamNode: String
    /// Where the downstream node receives link media.
    public var downstreamAddress: LinkAddress
    /// Both directions' master keys, sealed.
    public var sealedKeys: SealedLinkKeys

    /// `request` with its keys sealed by `seal`.
    public init(sealing request: LinkSetupRequest, with seal: LinkKeySeal) throws(OpenSSLError) {
        downstreamNode = request.downstreamNode
        upstreamNode = request.upstreamNode
        downstreamAddress = request.downstreamAddress
        sealedKeys = try seal.seal(
            request.keys,
            for: .request(
                downstreamNode: request.downstreamNode, upstreamNode: request.upstreamNode,
                downstreamAddress: request.downstreamAddress))
    }

    /// The request with its keys opened; refused when the keys were sealed for another request.
    public func opened(with seal: LinkKeySeal) throws(SealedKeysError) -> LinkSetupRequest {
        LinkSetupRequest(
            downstreamNode: downstreamNode, upstreamNode: upstreamNode, downstreamAddress: downstreamAddress,
            keys: try seal.open(sealedKeys, for: context))
    }

    private var context: LinkKeyContext {
        .request(downstreamNode: downstreamNode, upstreamNode: upstreamNode, downstreamAddress: downstreamAddress)
    }
}

/// The answer to `POST /internal/v1/links` as JSON: a ``LinkSetupResponse`` whose keys are
/// sealed to this answer (link id, both nodes, the upstream address). Since the answer itself
/// is not signed, the seal is also what tells the downstream node that the upstream address
/// and link id came from a holder of the cluster secret.
///
/// ```json
/// {"linkID": "...", "upstreamNode": "origin-1", "upstreamAddress": {"host": "10.0.0.2", "port": 40000},
///  "sealedKeys": {"version": 1, "box": "..."}}
/// ```
public struct SealedLinkSetupResponse: Sendable, Hashable, Codable {
    /// The link's identifier on the upstream node.
    public var linkID: String
    /// The node answering (the link's upstream end).
    public var upstreamNode: String
    /// Where the upstream node sends media from and receives feedback.
    public var upstreamAddress: LinkAddress
    /// The keys in force, sealed (key confirmation: the downstream node checks they are its own).
    public var sealedKeys: SealedLinkKeys

    /// `response` to a request from `downstreamNode`, with its keys sealed by `seal`.
    public init(sealing response: LinkSetupResponse, to downstreamNode: String, with seal: LinkKeySeal)
        throws(OpenSSLError)
    {
        linkID = response.linkID
        upstreamNode = response.upstreamNode
        upstreamAddress = response.upstreamAddress
        sealedKeys = try seal.seal(
            response.keys, for: Self.context(linkID, upstreamNode, upstreamAddress, downstreamNode))
    }

    /// The answer with its keys opened, as the downstream node `downstreamNode` reads it.
    public func opened(by downstreamNode: String, with seal: LinkKeySeal) throws(SealedKeysError)
        -> LinkSetupResponse
    {
        let context = Self.context(linkID, upstreamNode, upstreamAddress, downstreamNode)
        return LinkSetupResponse(
            linkID: linkID, upstreamNode: upstreamNode, upstreamAddress: upstreamAddress,
            keys: try seal.open(sealedKeys, for: context))
    }

    private static func context(
        _ linkID: String, _ upstreamNode: String, _ upstreamAddress: LinkAddress, _ downstreamNode: String
    ) -> LinkKeyContext {
        .answer(
            linkID: linkID, upstreamNode: upstreamNode, upstreamAddress: upstreamAddress,
            downstreamNode: downstreamNode)
    }
}
