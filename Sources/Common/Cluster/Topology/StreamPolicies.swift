/// Mesh-wide rules about streams: which are recorded automatically, how many viewers and
/// publishers the mesh accepts, and how long a declared stream waits for its publisher.
///
/// ```yaml
/// policies:
///   record: [town-hall, {match: "event-*", retention: 7d, mp4: remux}, {match: "sim-*", layers: all}]
///   max_viewers_per_stream: 5000
///   max_publishers: 200
///   declared_stream_ttl_seconds: 600
///   viewer_start_bitrate: 3000000
///   drain_deadline_seconds: 30
///   rate_limits: {whip: 2/s burst 10, whep: 20/s burst 40}
///   streams:
///     - {match: "keynote-*", max_viewers: 50000}
/// ```
public struct StreamPolicies: Sendable, Equatable, Codable {
    /// Streams whose names match one of these are recorded as soon as they are published.
    public var record: [StreamPattern]
    /// How long the recordings of some `record` patterns are kept (`nil` or absent: forever).
    /// Optional so that a topology stored before retention existed still decodes, and one
    /// without retention encodes to the same bytes as before.
    public var recordRetention: [RecordRetention]?
    /// The `record` patterns whose recordings keep every simulcast layer (`layers: all`); the
    /// others record the best live layer (`top`). Optional for the same reason as
    /// ``recordRetention``.
    public var recordAllLayers: [StreamPattern]?
    /// Which `record` patterns' recordings get an MP4 when they stop (`nil`: none). Optional for
    /// the same reason as ``recordRetention``.
    public var recordMP4: [RecordMP4]?
    /// The most viewers one stream may have across the mesh, unless an override says otherwise.
    public var maxViewersPerStream: Int?
    /// The most streams published at once across the mesh.
    public var maxPublishers: Int?
    /// Per-stream overrides; the first whose pattern matches a stream applies.
    public var streamLimits: [StreamLimit]
    /// How long a stream declared with `PUT /v1/streams/{stream}` stays known while it has
    /// neither publisher nor viewers, as written (`nil`: the default, see ``declaredStreamTTL``).
    public var declaredStreamTTLSeconds: Int?
    /// What a new viewer's bandwidth is assumed to be before it reports any (bits per second):
    /// it starts on the highest simulcast layer that fits (`nil`: the engine's default, 600 kbit/s).
    public var viewerStartBitrate: Int?
    /// How long a node asked to stop (SIGTERM) keeps its sessions flowing before it exits, as
    /// written (`nil`: the default, see ``drainDeadline``).
    public var drainDeadlineSeconds: Int?
    /// Request rates per client address and token, as written (`nil`: the defaults, see
    /// ``effectiveRateLimits``; keys not written keep theirs).
    public var rateLimits: RateLimits?

    /// The lifetime of an unused declaration when the topology gives none: long enough to
    /// declare an event, hand out its links and start the encoder, short enough that names
    /// declared by mistake or by a hostile client do not pile up.
    public static let defaultDeclaredStreamTTLSeconds = 600

    /// The drain deadline when the topology gives none: Kubernetes' default grace period
    /// (`terminationGracePeriodSeconds`) and systemd's `TimeoutStopSec` are 30 s and 90 s, so
    /// a node stopped by either drains for as long as it is given before a SIGKILL.
    public static let defaultDrainDeadlineSeconds = 30

    /// Creates policies; the defaults record nothing, limit nothing, and forget an unused
    /// declared stream after ten minutes.
    public init(
        record: [StreamPattern] = [],
        recordRetention: [RecordRetention]? = nil,
        recordAllLayers: [StreamPattern]? = nil,
        recordMP4: [RecordMP4]? = nil,
        maxViewersPerStream: Int? = nil,
        maxPublishers: Int? = nil,
        streamLimits: [StreamLimit] = [],
        declaredStreamTTLSeconds: Int? = nil,
        viewerStartBitrate: Int? = nil,
        drainDeadlineSeconds: Int? = nil,
        rateLimits: RateLimits? = nil
    ) {
        self.record = record
        self.recordRetention = recordRetention
        self.recordAllLayers = recordAllLayers
        self.recordMP4 = recordMP4
        self.maxViewersPerStream = maxViewersPerStream
        self.maxPublishers = maxPublishers
        self.streamLimits = streamLimits
        self.declaredStreamTTLSeconds = declaredStreamTTLSeconds
        self.viewerStartBitrate = viewerStartBitrate
        self.drainDeadlineSeconds = drainDeadlineSeconds
        self.rateLimits = rateLimits
    }

    /// How long, in seconds, a declared stream with neither publisher nor viewers stays known.
    public var declaredStreamTTL: Int {
        declaredStreamTTLSeconds ?? Self.defaultDeclaredStreamTTLSeconds
    }

    /// How long, in seconds, a stopping node lets its sessions run before it exits.
    public var drainDeadline: Int {
        drainDeadlineSeconds ?? Self.defaultDrainDeadlineSeconds
    }

    /// The request rate limits the nodes apply.
    public var effectiveRateLimits: RateLimits {
        rateLimits ?? RateLimits()
    }

    /// No automatic recording and no limits: what a topology without `policies` means.
    public static let none = StreamPolicies()

    /// Whether a stream of this name is recorded automatically.
    public func recordsAutomatically(_ stream: String) -> Bool {
        record.contains { $0.matches(stream) }
    }

    /// How long, in seconds, recordings started by the `record` pattern written `policy` are
    /// kept after they end; nil: forever.
    public func retentionSeconds(forPolicy policy: String) -> Int? {
        recordRetention?.first { $0.pattern.text == policy }?.seconds
    }

    /// Whether recordings started by the `record` pattern written `policy` keep every simulcast
    /// layer (`layers: all`) rather than the best live one.
    public func recordsAllLayers(forPolicy policy: String) -> Bool {
        recordAllLayers?.contains { $0.text == policy } ?? false
    }

    /// The MP4 the `record` pattern written `policy` asks for when one of its recordings stops;
    /// nil: none.
    public func mp4(forPolicy policy: String) -> RecordMP4.Mode? {
        recordMP4?.first { $0.pattern.text == policy }?.mode
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
