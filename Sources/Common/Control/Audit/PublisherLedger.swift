import MeshCluster
import MeshCrypto
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The publisher sessions this node started, with who started them, so that a publish that
/// ends without a `DELETE` (ICE or DTLS timeout, the node draining, an operator ending it) is
/// audited as `publish.end` under its publisher's name: the engine reports only the id of a
/// session that ended (`MediaEngine.observeSessionEnds`), on a worker thread.
public final class PublisherLedger: Sendable {
    /// One publisher session: its stream and its publisher's claims.
    struct Entry: Sendable {
        let id: String
        let stream: String
        let claims: StreamToken
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// An empty ledger.
    public init() {}

    /// How many publisher sessions it holds.
    public var count: Int { entries.withLock { $0.count } }

    /// Notes publisher session `id` of `stream`, started with `claims`.
    func started(_ id: String, stream: String, claims: StreamToken) {
        entries.withLock { $0[id] = Entry(id: id, stream: stream, claims: claims) }
    }

    /// Takes session `id` out before its publisher's own `DELETE` ends it (that request is
    /// audited with its request id); ``restore(_:)`` puts it back if the session was not ended.
    func take(_ id: String, stream: String) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[id], entry.stream == stream else { return nil }
            entries[id] = nil
            return entry
        }
    }

    /// Puts back what ``take(_:stream:)`` took.
    func restore(_ entry: Entry) {
        entries.withLock { $0[entry.id] = entry }
    }

    /// The `publish.end` record of session `id` if it was a publisher this node started and
    /// no DELETE of its publisher ended it; nothing otherwise. Cheap and lock-short: it is
    /// called on the worker thread that ended the session.
    public func ended(_ id: String, node: String) -> AuditRecord? {
        guard let entry = entries.withLock({ $0.removeValue(forKey: id) }) else { return nil }
        return AuditRecord(
            time: Int64(Date().timeIntervalSince1970 * 1000), actor: entry.claims.subject ?? "-",
            keyID: entry.claims.keyID ?? "-", action: "publish.end", target: "whip/\(entry.stream)/\(id)",
            client: "-", requestID: "-", result: "ended", node: node)
    }
}
