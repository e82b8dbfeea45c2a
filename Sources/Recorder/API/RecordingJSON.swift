import Foundation
import MeshCatalog

/// The JSON bodies of `/v1/recordings`: the catalog's rows as clients read them (ids in
/// lowercase, times in ISO 8601).
enum RecordingJSON {
    /// `POST /v1/recordings`.
    struct StartRequest: Decodable {
        let stream: String
        let layers: String?
    }

    /// A recording's row.
    struct Summary: Encodable {
        let id: String
        let stream: String
        let node: String
        let state: String
        let startedAt: Date
        let stoppedAt: Date?
        let policy: String?
        let layers: String
        let bytes: Int64
        let duration: Double
        let error: String?
        /// When retention deleted its files (the row stays); null while they are kept.
        let expiredAt: Date?

        init(_ recording: Recording) {
            id = recording.id.uuidString.lowercased()
            stream = recording.stream
            node = recording.node
            state = recording.state.rawValue
            startedAt = recording.startedAt
            stoppedAt = recording.stoppedAt
            policy = recording.policy
            layers = recording.layers.rawValue
            bytes = recording.bytes
            duration = recording.duration
            error = recording.error
            expiredAt = recording.expiredAt
        }

        private enum CodingKeys: String, CodingKey {
            case id, stream, node, state, startedAt, stoppedAt, policy, layers, bytes, duration, error, expiredAt
        }

        /// Every key always present: an absent value is `null`, not a missing key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(stream, forKey: .stream)
            try container.encode(node, forKey: .node)
            try container.encode(state, forKey: .state)
            try container.encode(startedAt, forKey: .startedAt)
            try container.encode(stoppedAt, forKey: .stoppedAt)
            try container.encode(policy, forKey: .policy)
            try container.encode(layers, forKey: .layers)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(duration, forKey: .duration)
            try container.encode(error, forKey: .error)
            try container.encode(expiredAt, forKey: .expiredAt)
        }
    }

    /// One page of `GET /v1/recordings`.
    struct Page: Encodable {
        let recordings: [Summary]
        /// Pass as `after=` for the next page; absent on the last one.
        let next: String?
    }

    /// `GET /v1/recordings/{id}`.
    struct Detail: Encodable {
        let recording: Summary
        let tracks: [RecordedTrack]
        let segments: [RecordedSegment]
        let gaps: [RecordedGap]
        /// Its post-processing (MP4) jobs, oldest first.
        let jobs: [JobJSON.Job]
        /// Catalog changes of this node not yet in PostgreSQL (the detail may lag by these).
        let pendingChanges: Int
    }

    /// `POST /v1/recordings` and `.../stop`.
    struct Started: Encodable {
        let id: String
        let stream: String
        let state: String
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// A page cursor as text (`startedAt|id`, base64url) and back.
    static func cursorText(_ cursor: RecordingCursor) -> String {
        Data("\(cursor.startedAt)|\(cursor.id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The cursor of `cursorText`; nil when the text is not one.
    static func cursor(_ text: String) -> RecordingCursor? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 200, let data = Data(base64Encoded: base64),
            let decoded = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = decoded.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])) else { return nil }
        return RecordingCursor(startedAt: String(parts[0]), id: id)
    }
}
