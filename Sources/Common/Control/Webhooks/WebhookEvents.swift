import MeshCluster

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a node reports webhook events (issue 15, item 7): each one becomes an entry of the
/// mesh's outbox for every receiver of the topology (read when the event happens, so an
/// applied topology takes effect at once) that takes it. Reporting never waits: the append runs
/// in its own task, and an event raised while Redis is away is lost (counted), not queued.
public final class WebhookEvents: Sendable {
    private let outbox: WebhookOutbox?
    private let node: String
    private let targets: @Sendable () -> [WebhookTarget]

    /// Events of `node` into `outbox` for `targets()`; without an outbox (no Redis) nothing is sent.
    public init(outbox: WebhookOutbox?, node: String, targets: @escaping @Sendable () -> [WebhookTarget]) {
        self.outbox = outbox
        self.node = node
        self.targets = targets
    }

    /// True while the topology names a receiver.
    public var hasReceivers: Bool { !targets().isEmpty }

    /// No webhooks.
    public static let none = WebhookEvents(outbox: nil, node: "", targets: { [] })

    /// The JSON body of `event`: `{"event", "id", "node", "stream"?, "recording"?, "segment"?,
    /// "error"?, "time"}` (`time` in milliseconds since 1970; `id` is random, the same for every
    /// receiver of this event). `node` is this node unless the event is about another
    /// (`node.down` of a crashed node); `recording` the recording's id for recording events.
    public func body(
        _ event: WebhookEvent, stream: String?, node: String? = nil, recording: RecordingFields? = nil
    ) -> String {
        let body = Body(
            event: event.rawValue, id: String(UInt64.random(in: 0...UInt64.max), radix: 16), node: node ?? self.node,
            stream: stream, recording: recording?.id, segment: recording?.segment, error: recording?.error,
            time: Int64(Date().timeIntervalSince1970 * 1000))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Four strings and a number always encode.
        return (try? encoder.encode(body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private struct Body: Encodable {
        let event: String
        let id: String
        let node: String
        let stream: String?
        let recording: String?
        let segment: Int?
        let error: String?
        let time: Int64
    }

    /// What a recording event adds to the body: the recording's id, the segment's number
    /// (`recording.segment_closed`) and the failure (`recording.stopped` of a failed recording).
    public struct RecordingFields: Sendable, Equatable {
        /// The recording's id.
        public var id: String
        /// The closed segment's sequence number.
        public var segment: Int?
        /// Why the recording failed, if it did.
        public var error: String?

        /// The fields from their parts.
        public init(id: String, segment: Int? = nil, error: String? = nil) {
            self.id = id
            self.segment = segment
            self.error = error
        }
    }

    /// Reports `event` (of `stream`, for stream events; about `node` when not this node's own)
    /// without waiting.
    public func report(
        _ event: WebhookEvent, stream: String? = nil, node: String? = nil, recording: RecordingFields? = nil
    ) {
        guard outbox != nil else { return }
        let body = body(event, stream: stream, node: node, recording: recording)
        Task { try? await self.enqueue(event, body: body) }
    }

    /// Appends `event` now (for the node's last word, `node.down`, which must land before Redis
    /// closes; and for another node's `node.down`, `node` being the dead one).
    public func reportNow(_ event: WebhookEvent, node: String? = nil) async {
        try? await enqueue(event, body: body(event, stream: nil, node: node))
    }

    private func enqueue(_ event: WebhookEvent, body: String) async throws(RedisError) {
        guard let outbox else { return }
        try await outbox.enqueue(event, body: body, targets: targets())
    }
}
