/// Where sealed link keys belong: the message that carries them and what that message names.
/// It becomes the box's associated data (RFC 5116 §2.1), so a box opens only in the message it
/// was sealed for.
public enum LinkKeyContext: Sendable, Equatable {
    /// The downstream node's `POST /internal/v1/links` to `upstreamNode`.
    case request(downstreamNode: String, upstreamNode: String, downstreamAddress: LinkAddress)
    /// The upstream node's answer that opened `linkID` for `downstreamNode`.
    case answer(linkID: String, upstreamNode: String, upstreamAddress: LinkAddress, downstreamNode: String)

    /// `"meshcast relay-link keys v1"`, then the message kind and each field, every part as a
    /// 4-byte big-endian length and its UTF-8 bytes, so that no two contexts give the same bytes
    /// (a node id cannot spill into the next field).
    var associatedData: [UInt8] {
        var parts = ["meshcast relay-link keys v\(LinkKeySeal.version)"]
        switch self {
        case .request(let downstreamNode, let upstreamNode, let address):
            parts += ["request", downstreamNode, upstreamNode, address.host, String(address.port)]
        case .answer(let linkID, let upstreamNode, let address, let downstreamNode):
            parts += ["answer", linkID, upstreamNode, address.host, String(address.port), downstreamNode]
        }
        var bytes: [UInt8] = []
        for part in parts {
            let utf8 = Array(part.utf8)
            let length = UInt32(truncatingIfNeeded: utf8.count)
            bytes += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            bytes += utf8
        }
        return bytes
    }
}
