import Hummingbird
import MeshCluster
import MeshCrypto

/// How a node's HTTP side is set up. Every key but the token secret has a default.
///
/// - `host`, `port`: where the HTTP server binds (`127.0.0.1:8080`).
/// - `tokenSecret`: the mesh's HS256 secret for stream tokens (required; from the environment,
///   never from a file in the repository).
/// - `iceServers`: STUN/TURN servers handed to clients as `Link: <turn:...>; rel="ice-server"`
///   headers on WHIP/WHEP answers and `OPTIONS` (RFC 9725 §4.4); none by default.
/// - `maxSDPBytes`: the largest offer or PATCH body accepted (64 KiB); larger ones get 413.
/// - `allowedOrigin`: the CORS `Access-Control-Allow-Origin` value (`*`).
/// - `publicBaseURL`: when set (`https://origin.example.net`), `Location` headers are absolute
///   URLs under it; otherwise they are absolute paths (`/whip/{stream}/{session}`).
/// - `clusterSecret`: the mesh's shared secret that signs internal API requests
///   (``InternalRequestSignature``); without it the internal API answers 503 (none by default).
/// - `requestHeadTimeout`: how long a client has to deliver a whole request head, counted from
///   the connection's opening for its first request and from the first byte of each later one,
///   and not renewed by bytes that trickle in (5 s); then 408 and close. A real client sends its
///   head in one write; a slow-header (slowloris) client would otherwise hold a descriptor forever.
/// - `idleTimeout`: how long a keep-alive connection may wait between requests (30 s), like
///   nginx's `keepalive_timeout`; longer than clients' own pools keep idle connections.
/// - `maxConnectionsPerClient`: connections one client address may hold open at once (64);
///   the next is answered 503 and closed. Loopback is counted like any address. meshbench and
///   the interop tests open one connection per request and a handful at a time, and nodes call
///   each other's internal API over fresh short connections, so 64 leaves them room.
/// - `uncappedClients`: addresses the per-address cap does not apply to: the topology's trusted
///   proxies, behind which every client shares one address (none by default).
/// - `turn`: the node's integrated TURN server, whose counters `/metrics` adds and whose
///   allocations `GET /v1/turn` lists (none by default).
/// - `rateLimiter`: request rates per client address and token (``RateLimitMiddleware``); none
///   by default (router tests), a node always sets one.
/// - `trustedProxies`: peers whose `X-Forwarded-For` names the client the rate limits count
///   (none by default).
/// - `tokenKeys`: named token keys (`kid`) beside the token secret, newest first
///   (``TokenKeyRing``; from `MESHCAST_TOKEN_KEYS`); none by default.
/// - `revocations`: revoked token ids (``TokenRevocations``), shared through Redis in a mesh;
///   a list local to the process by default.
/// - `auditLog`: where audited calls go besides the log (``AuditLog``); nowhere by default.
/// - `publishers`: the publisher sessions started here (``PublisherLedger``), for the
///   `publish.end` of sessions that end without a DELETE.
/// - `webhooks`: where stream events are reported (``WebhookEvents``); nowhere by default.
/// - `meshOperations`: what `POST /v1/nodes/{id}/drain` and `POST /v1/topology` do
///   (``MeshOperations``); none by default, and those routes answer 503.
public struct ControlConfiguration: Sendable {
    /// The address the server binds.
    public var host: String
    /// The TCP port the server binds.
    public var port: Int
    /// The HS256 secret stream tokens are signed with.
    public var tokenSecret: [UInt8]
    /// ICE servers advertised in `Link` headers.
    public var iceServers: [ICEServerLink]
    /// This node's own TURN servers with credentials minted for one session (RFC 9725 §4.6),
    /// called with the new session's id once per WHIP/WHEP `201`; never on an unauthenticated
    /// `OPTIONS`, which would hand relay credentials to anyone.
    public var sessionICEServers: (@Sendable (String) -> [ICEServerLink])?
    /// The largest SDP offer or sdpfrag body accepted, in bytes.
    public var maxSDPBytes: Int
    /// The CORS allowed origin.
    public var allowedOrigin: String
    /// The scheme and authority `Location` headers are made absolute with, if any.
    public var publicBaseURL: String?
    /// The secret internal API requests are signed with, if this node takes part in a mesh.
    public var clusterSecret: [UInt8]?
    /// Whether the signed internal API also takes test-fault requests (`MESHCAST_TEST_FAULTS=1`).
    public var testFaults = false
    /// The time a client has to send a whole request head.
    public var requestHeadTimeout: Duration = .seconds(5)
    /// The time a keep-alive connection may sit idle between requests.
    public var idleTimeout: Duration = .seconds(30)
    /// The most connections one client address may hold open.
    public var maxConnectionsPerClient = 64
    /// Addresses exempt from ``maxConnectionsPerClient`` (reverse proxies).
    public var uncappedClients: [IPNetwork] = []
    /// The request rate limits, if any.
    public var rateLimiter: RateLimiter?
    /// Peers whose `X-Forwarded-For` is believed.
    public var trustedProxies: [IPNetwork] = []
    /// The node's TURN server, for `/metrics` and `GET /v1/turn`; none when it runs no TURN.
    public var turn: (any TURNStatusSource)?
    /// Named token keys, newest (the signing key) first.
    public var tokenKeys: [TokenKey] = []
    /// Revoked token ids.
    public var revocations = TokenRevocations(redis: nil)
    /// The audit stream, when there is one.
    public var auditLog = AuditLog(redis: nil)
    /// The publisher sessions started here and who started them.
    public var publishers = PublisherLedger()
    /// Where webhook events go.
    public var webhooks = WebhookEvents.none
    /// The mesh commands of the operator API, in a mesh.
    public var meshOperations: MeshOperations?

    /// The keys tokens are checked against: the token secret for tokens without a `kid`, and
    /// the named keys.
    public var tokenKeyRing: TokenKeyRing { TokenKeyRing(primary: tokenSecret, keys: tokenKeys) }

    /// Routes a role adds to the node's own (the recorder's `/v1/recordings`).
    public var roleRoutes: (@Sendable (Router<ControlRequestContext>, OperatorGate) -> Void)?
    /// Prometheus lines a role adds to `/metrics` (the recorder's recordings and catalog lag).
    public var roleMetrics: (@Sendable () async -> String)?

    /// Creates a configuration; only the token secret is required.
    public init(
        tokenSecret: [UInt8],
        host: String = "127.0.0.1",
        port: Int = 8080,
        iceServers: [ICEServerLink] = [],
        maxSDPBytes: Int = 64 * 1024,
        allowedOrigin: String = "*",
        publicBaseURL: String? = nil,
        clusterSecret: [UInt8]? = nil
    ) {
        self.tokenSecret = tokenSecret
        self.host = host
        self.port = port
        self.iceServers = iceServers
        self.maxSDPBytes = maxSDPBytes
        self.allowedOrigin = allowedOrigin
        self.publicBaseURL = publicBaseURL
        self.clusterSecret = clusterSecret
    }
}

/// One STUN or TURN server as a WHIP/WHEP `Link` header (RFC 9725 §4.4, RFC 8288).
public struct ICEServerLink: Sendable, Equatable {
    /// The server's URI: `stun:host:port` or `turn:host:port?transport=udp` (RFC 7064, RFC 7065).
    public var url: String
    /// The TURN username, if the server needs credentials.
    public var username: String?
    /// The TURN password (`credential-type="password"`).
    public var credential: String?

    /// Creates a link.
    public init(url: String, username: String? = nil, credential: String? = nil) {
        self.url = url
        self.username = username
        self.credential = credential
    }

    /// The `Link` field value: `<url>; rel="ice-server"` plus credentials when present.
    public var headerValue: String {
        var value = "<\(url)>; rel=\"ice-server\""
        if let username { value += "; username=\"\(Self.quoted(username))\"" }
        if let credential { value += "; credential=\"\(Self.quoted(credential))\"; credential-type=\"password\"" }
        return value
    }

    /// Escapes a quoted-string's quote and backslash (RFC 9110 §5.6.4).
    private static func quoted(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }
}
