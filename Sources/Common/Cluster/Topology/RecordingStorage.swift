/// Where a recorder writes its files: `storage: {path: /var/lib/meshcast, segment_seconds: 10}`;
/// `shared: true` when every recorder mounts the same storage at that path (NFS, a cluster file
/// system), so any of them can work on any recording's post-processing jobs.
public struct RecordingStorage: Sendable, Equatable, Codable {
    /// The directory recordings go to; relative paths are relative to the node's working directory.
    public var path: String
    /// The length of one segment: a crash loses at most this much of a recording.
    public var segmentSeconds: Int
    /// Whether the recorders share this storage: their MP4 jobs are then claimed by whichever
    /// recorder is free, not only by the one that recorded (whose disk alone holds the files
    /// otherwise).
    public var shared: Bool

    /// The segment length when the topology gives none.
    public static let defaultSegmentSeconds = 10

    /// Creates a storage description.
    public init(path: String, segmentSeconds: Int = RecordingStorage.defaultSegmentSeconds, shared: Bool = false) {
        self.path = path
        self.segmentSeconds = segmentSeconds
        self.shared = shared
    }

    private enum CodingKeys: String, CodingKey { case path, segmentSeconds, shared }

    /// Reads what an older node wrote too (no `shared`: not shared).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        segmentSeconds = try container.decode(Int.self, forKey: .segmentSeconds)
        shared = try container.decodeIfPresent(Bool.self, forKey: .shared) ?? false
    }
}
