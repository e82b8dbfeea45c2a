import Foundation
import MeshCatalog

/// The JSON of post-processing jobs: `POST /v1/recordings/{id}/jobs` and the `jobs` of
/// `GET /v1/recordings/{id}`.
enum JobJSON {
    /// `POST /v1/recordings/{id}/jobs`: `{"kind": "remux-mp4" | "transcode-mp4"}`.
    struct Request: Decodable {
        let kind: String
    }

    /// One job (every key present; an absent value is `null`).
    struct Job: Encodable {
        let id: String
        let kind: String
        let state: String
        let createdAt: Date
        let claimedBy: String?
        let attempts: Int
        let finishedAt: Date?
        /// The MP4's path relative to the recorder's storage once done; fetch it at `/mp4`.
        let output: String?
        let error: String?

        init(_ job: JobQueue.Job) {
            id = job.id.uuidString.lowercased()
            kind = job.kind.rawValue
            state = job.state.rawValue
            createdAt = job.createdAt
            claimedBy = job.claimedBy
            attempts = job.attempts
            finishedAt = job.finishedAt
            output = job.output
            error = job.error
        }

        private enum CodingKeys: String, CodingKey {
            case id, kind, state, createdAt, claimedBy, attempts, finishedAt, output, error
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(kind, forKey: .kind)
            try container.encode(state, forKey: .state)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(claimedBy, forKey: .claimedBy)
            try container.encode(attempts, forKey: .attempts)
            try container.encode(finishedAt, forKey: .finishedAt)
            try container.encode(output, forKey: .output)
            try container.encode(error, forKey: .error)
        }
    }
}
