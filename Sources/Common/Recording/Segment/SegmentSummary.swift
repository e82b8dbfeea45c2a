/// What a closed segment holds, for the catalog.
public struct SegmentSummary: Equatable, Sendable {
    /// The final file (the `.part` name without `.part`).
    public let path: String
    /// The file's size after close, in bytes.
    public let bytes: Int
    /// The duration written into Info, in ms.
    public let durationMilliseconds: Int64
    /// How many clusters the segment holds.
    public let clusters: Int
    /// How many blocks (frames) the clusters hold.
    public let frames: Int
}
