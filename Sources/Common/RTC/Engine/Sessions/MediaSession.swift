import MeshRuntime

/// One WebRTC session (a publisher or a viewer) on the worker that owns it.
final class MediaSession {
    enum Role {
        case publisher(PublisherState)
        case viewer(ViewerState)

        var name: String {
            switch self {
            case .publisher: "publisher"
            case .viewer: "viewer"
            }
        }
    }

    let id: String
    let stream: LiveStream
    let role: Role
    let transport: PeerTransport
    /// Where the HTTP request came from, for logs.
    let client: String
    let createdAt: UInt64
    /// The local ICE ufrag the worker finds this session by (changes on ICE restart).
    var localUfrag: String
    /// Bumped on every ICE restart; WHIP's ETag is made from it.
    var iceGeneration = 0
    /// Every address a valid binding request came from, so they can be forgotten at the end.
    var knownAddresses: Set<SocketAddress> = []
    /// Whether DTLS finished.
    var isConnected = false
    /// Set once the session is being torn down, so late packets are ignored.
    var isClosed = false

    init(
        id: String, stream: LiveStream, role: Role, transport: PeerTransport, client: String, localUfrag: String,
        now: UInt64
    ) {
        self.id = id
        self.stream = stream
        self.role = role
        self.transport = transport
        self.client = client
        self.localUfrag = localUfrag
        self.createdAt = now
    }

    var tag: String { "\(id)-\(iceGeneration)" }
}
