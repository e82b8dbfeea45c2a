/// What a webhook receiver is told about (issue 15, item 7).
public enum WebhookEvent: String, Sendable, Equatable, Codable, CaseIterable {
    /// A publisher's stream went live on an origin.
    case streamStarted = "stream.started"
    /// A publisher's stream ended on its origin.
    case streamEnded = "stream.ended"
    /// A node started and serves.
    case nodeUp = "node.up"
    /// A node was asked to stop and drains.
    case nodeDraining = "node.draining"
    /// A node stopped (or, reported by another node, died).
    case nodeDown = "node.down"
    /// A recorder began a recording.
    case recordingStarted = "recording.started"
    /// A recorder closed a segment file of a recording (it can be fetched now).
    case recordingSegmentClosed = "recording.segment_closed"
    /// A recording stopped (the body's `error` says why when it failed).
    case recordingStopped = "recording.stopped"
}

/// One webhook receiver of a topology: where to `POST`, which events, and the environment
/// variable that holds the HMAC secret the requests are signed with (never the secret).
///
/// ```yaml
/// webhooks:
///   - url: http://hooks.internal:9000/meshcast
///     events: [stream.started, stream.ended]     # every event when left out
///     secret: MESHCAST_WEBHOOK_SECRET
///   - url: https://hooks.example.net/meshcast       # verified against the system's CAs,
///     secret: MESHCAST_WEBHOOK_SECRET               # or against `ca` (a PEM file) when given
///     ca: /etc/meshcast/hooks-ca.pem
/// ```
public struct WebhookTarget: Sendable, Equatable, Codable {
    /// `http://host[:port]/path` or `https://host[:port]/path`.
    public var url: String
    /// The events sent there.
    public var events: [WebhookEvent]
    /// The environment variable holding the signing secret.
    public var secretVariable: String
    /// An `https` receiver's CA certificates (a PEM file the node reads); the system's trust
    /// store when `nil`.
    public var caFile: String?

    /// Creates a target.
    public init(
        url: String, events: [WebhookEvent] = WebhookEvent.allCases, secretVariable: String, caFile: String? = nil
    ) {
        self.url = url
        self.events = events
        self.secretVariable = secretVariable
        self.caFile = caFile
    }

    /// The URL's host, port and path; `nil` unless it is `http(s)://host[:port][/path]`.
    public var endpoint: (host: String, port: Int, path: String)? { Self.endpoint(url) }

    /// Whether the receiver is reached over TLS (`https://`).
    public static func usesTLS(_ url: String) -> Bool { url.hasPrefix("https://") }

    /// Parses `http://host[:port][/path]` (port 80 by default) or `https://…` (443).
    public static func endpoint(_ url: String) -> (host: String, port: Int, path: String)? {
        let scheme = usesTLS(url) ? "https://" : "http://"
        guard url.hasPrefix(scheme) else { return nil }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty,
            host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return nil }
        var port = usesTLS(url) ? 443 : 80
        if parts.count == 2 {
            guard let given = Int(parts[1]), (1...65535).contains(given) else { return nil }
            port = given
        }
        guard path.allSatisfy({ !$0.isWhitespace }) else { return nil }
        return (String(host), port, path.isEmpty ? "/" : String(path))
    }
}
