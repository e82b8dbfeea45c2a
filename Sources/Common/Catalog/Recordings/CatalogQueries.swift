import Foundation

/// What `CatalogQueries.list` returns: filters, and where a page starts.
public struct RecordingFilter: Sendable, Equatable {
    /// Only this stream.
    public var stream: String?
    /// Only recordings in this state.
    public var state: RecordingState?
    /// Only recordings started at or after this time.
    public var since: Date?
    /// At most this many (1...500).
    public var limit: Int
    /// Continue after this cursor (from the previous page's `next`).
    public var after: RecordingCursor?

    /// Every recording, newest first, 50 a page, unless told otherwise.
    public init(
        stream: String? = nil, state: RecordingState? = nil, since: Date? = nil, limit: Int = 50,
        after: RecordingCursor? = nil
    ) {
        self.stream = stream
        self.state = state
        self.since = since
        self.limit = min(max(limit, 1), 500)
        self.after = after
    }
}

/// Where the next page starts: the last row's start time (PostgreSQL's exact text form, so no
/// float rounding skips or repeats a row) and id. Keyset paging: stable while rows arrive.
public struct RecordingCursor: Sendable, Equatable {
    /// `started_at` of the last row, as PostgreSQL printed it.
    public var startedAt: String
    /// The last row's id.
    public var id: UUID

    /// A cursor from a previous page's `next` (the API hands it to clients and back).
    public init(startedAt: String, id: UUID) {
        self.startedAt = startedAt
        self.id = id
    }
}

/// One page of recordings, newest first.
public struct RecordingPage: Sendable, Equatable {
    /// The recordings.
    public var recordings: [Recording]
    /// The cursor for the next page; nil on the last one.
    public var next: RecordingCursor?
}

/// The catalog's reads and deletes. They go straight to PostgreSQL (an API call needs the
/// answer now), so they fail with `PostgresError` while it is away; writes go through the outbox.
public enum CatalogQueries {
    private static let recordingColumns = """
        id, stream, node, state, extract(epoch FROM started_at)::float8 AS started, started_at::text AS cursor,
        extract(epoch FROM stopped_at)::float8 AS stopped, policy, layers, bytes, duration, error,
        extract(epoch FROM expired_at)::float8 AS expired
        """

    /// A page of recordings matching `filter`, newest first.
    public static func list(_ filter: RecordingFilter, on connection: PostgresConnection) throws(PostgresError)
        -> RecordingPage
    {
        let result = try connection.query(
            """
            SELECT \(recordingColumns) FROM recordings
            WHERE ($1::text IS NULL OR stream = $1) AND ($2::text IS NULL OR state = $2)
              AND ($3::float8 IS NULL OR started_at >= to_timestamp($3::float8))
              AND ($4::timestamptz IS NULL OR (started_at, id) < ($4::timestamptz, $5::uuid))
            ORDER BY started_at DESC, id DESC LIMIT $6
            """,
            [
                filter.stream, filter.state?.rawValue, filter.since.map(sql), filter.after?.startedAt,
                filter.after?.id.uuidString, String(filter.limit + 1),
            ])
        var recordings: [Recording] = []
        var next: RecordingCursor?
        for (position, row) in result.rows.enumerated() {
            // One row more than asked tells whether another page exists.
            if position == filter.limit {
                let last = result.rows[position - 1]
                next = RecordingCursor(startedAt: try last.string("cursor"), id: try uuid(last, "id"))
                break
            }
            recordings.append(try recording(row))
        }
        return RecordingPage(recordings: recordings, next: next)
    }

    /// One recording with its tracks, segments and gaps; nil when there is none.
    public static func detail(_ id: UUID, on connection: PostgresConnection) throws(PostgresError) -> RecordingDetail? {
        let key = [Optional(id.uuidString)]
        guard let row = try connection.query("SELECT \(recordingColumns) FROM recordings WHERE id = $1", key).rows.first
        else { return nil }
        var tracks: [RecordedTrack] = []
        for row in try connection.query(
            "SELECT number, kind, codec, ssrc, rid FROM tracks WHERE recording_id = $1 ORDER BY number", key
        ).rows {
            tracks.append(
                RecordedTrack(
                    number: Int(try row.int("number")), kind: try value(row, "kind"), codec: try row.string("codec"),
                    ssrc: try row.optionalInt("ssrc").map { UInt32(truncatingIfNeeded: $0) },
                    rid: try row.optionalString("rid")))
        }
        var segments: [RecordedSegment] = []
        for row in try connection.query(
            """
            SELECT sequence, file, state, start, duration, bytes, frames, sha256, rid FROM segments
            WHERE recording_id = $1 ORDER BY sequence
            """, key
        ).rows {
            segments.append(
                RecordedSegment(
                    sequence: Int(try row.int("sequence")), file: try row.string("file"),
                    state: try value(row, "state"),
                    start: try row.double("start"), duration: try row.double("duration"), bytes: try row.int("bytes"),
                    frames: try row.int("frames"), sha256: try row.optionalString("sha256"),
                    rid: try row.optionalString("rid")))
        }
        var gaps: [RecordedGap] = []
        for row in try connection.query(
            "SELECT id, at, duration, reason FROM gaps WHERE recording_id = $1 ORDER BY at, id", key
        ).rows {
            gaps.append(
                RecordedGap(
                    id: try uuid(row, "id"), at: try row.double("at"), duration: try row.double("duration"),
                    reason: try row.string("reason")))
        }
        return RecordingDetail(recording: try recording(row), tracks: tracks, segments: segments, gaps: gaps)
    }

    /// Deletes a recording's rows (tracks, segments, gaps and jobs go with it); false when there
    /// was none. Its files are the recorder's to remove.
    @discardableResult
    public static func delete(_ id: UUID, on connection: PostgresConnection) throws(PostgresError) -> Bool {
        try connection.query("DELETE FROM recordings WHERE id = $1", [id.uuidString]).affected == 1
    }

    private static func recording(_ row: PostgresRow) throws(PostgresError) -> Recording {
        var recording = Recording(
            id: try uuid(row, "id"), stream: try row.string("stream"), node: try row.string("node"),
            startedAt: Date(timeIntervalSince1970: try row.double("started")), policy: try row.optionalString("policy"),
            layers: try value(row, "layers"))
        recording.state = try value(row, "state")
        recording.stoppedAt = try row.optionalDouble("stopped").map { Date(timeIntervalSince1970: $0) }
        recording.bytes = try row.int("bytes")
        recording.duration = try row.double("duration")
        recording.error = try row.optionalString("error")
        recording.expiredAt = try row.optionalDouble("expired").map { Date(timeIntervalSince1970: $0) }
        return recording
    }
}

/// A `uuid` column.
func uuid(_ row: PostgresRow, _ column: String) throws(PostgresError) -> UUID {
    let text = try row.string(column)
    guard let id = UUID(uuidString: text) else { throw .decoding("\(column) is not a UUID: \(text)") }
    return id
}

/// A text column holding one of an enum's raw values.
func value<T: RawRepresentable>(_ row: PostgresRow, _ column: String) throws(PostgresError) -> T
where T.RawValue == String {
    let text = try row.string(column)
    guard let value = T(rawValue: text) else { throw .decoding("\(column) has an unknown value: \(text)") }
    return value
}
