/// Where a recorder writes its files: `storage: {path: /var/lib/meshcast, segment_seconds: 10}`.
public struct RecordingStorage: Sendable, Equatable, Codable {
    /// The directory recordings go to; relative paths are relative to the node's working directory.
    public var path: String
    /// The length of one segment: a crash loses at most this much of a recording.
    public var segmentSeconds: Int

    /// The segment length when the topology gives none.
    public static let defaultSegmentSeconds = 10

    /// Creates a storage description.
    public init(path: String, segmentSeconds: Int = RecordingStorage.defaultSegmentSeconds) {
        self.path = path
        self.segmentSeconds = segmentSeconds
    }
}
