/// Mesh-wide rules about streams: which are recorded automatically and how many viewers and
/// publishers the mesh accepts.
///
/// ```yaml
/// policies:
///   record: [town-hall, "event-*"]
///   max_viewers_per_stream: 5000
///   max_publishers: 200
///   streams:
///     - {match: "keynote-*", max_viewers: 50000}
/// ```
public struct StreamPolicies: Sendable, Equatable, Codable {
    /// Streams whose names match one of these are recorded as soon as they are published.
    public var record: [StreamPattern]
    /// The most viewers one stream may have across the mesh, unless an override says otherwise.
    public var maxViewersPerStream: Int?
    /// The most streams published at once across the mesh.
    public var maxPublishers: Int?
    /// Per-stream overrides; the first whose pattern matches a stream applies.
    public var streamLimits: [StreamLimit]

    /// Creates policies; the defaults record nothing and limit nothing.
    public init(
        record: [StreamPattern] = [],
        maxViewersPerStream: Int? = nil,
        maxPublishers: Int? = nil,
        streamLimits: [StreamLimit] = []
    ) {
        self.record = record
        self.maxViewersPerStream = maxViewersPerStream
        self.maxPublishers = maxPublishers
        self.streamLimits = streamLimits
    }

    /// No automatic recording and no limits: what a topology without `policies` means.
    public static let none = StreamPolicies()

    /// Whether a stream of this name is recorded automatically.
    public func recordsAutomatically(_ stream: String) -> Bool {
        record.contains { $0.matches(stream) }
    }

    /// The most viewers this stream may have: the first matching override, else the default.
    public func maxViewers(for stream: String) -> Int? {
        streamLimits.first { $0.pattern.matches(stream) }?.maxViewers ?? maxViewersPerStream
    }
}

/// A limit that applies to the streams whose names match a pattern.
public struct StreamLimit: Sendable, Equatable, Codable {
    /// Which streams the limit applies to.
    public var pattern: StreamPattern
    /// The most viewers one such stream may have across the mesh.
    public var maxViewers: Int

    /// Creates a limit.
    public init(pattern: StreamPattern, maxViewers: Int) {
        self.pattern = pattern
        self.maxViewers = maxViewers
    }
}
