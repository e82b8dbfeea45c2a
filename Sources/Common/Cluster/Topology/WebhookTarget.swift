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
/// ```
public struct WebhookTarget: Sendable, Equatable, Codable {
    /// `http://host[:port]/path`.
    public var url: String
    /// The events sent there.
    public var events: [WebhookEvent]
    /// The environment variable holding the signing secret.
    public var secretVariable: String

    /// Creates a target.
    public init(url: String, events: [WebhookEvent] = WebhookEvent.allCases, secretVariable: String) {
        self.url = url
        self.events = events
        self.secretVariable = secretVariable
    }

    /// The URL's host, port and path; `nil` unless it is `http://host[:port][/path]`.
    public var endpoint: (host: String, port: Int, path: String)? { Self.endpoint(url) }

    /// Parses `http://host[:port][/path]`: plain HTTP only (the node's HTTP client has no TLS;
    /// put a receiver behind a local proxy for HTTPS).
    public static func endpoint(_ url: String) -> (host: String, port: Int, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let host = parts.first, !host.isEmpty,
            host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        else { return nil }
        var port = 80
        if parts.count == 2 {
            guard let given = Int(parts[1]), (1...65535).contains(given) else { return nil }
            port = given
        }
        guard path.allSatisfy({ !$0.isWhitespace }) else { return nil }
        return (String(host), port, path.isEmpty ? "/" : String(path))
    }
}
