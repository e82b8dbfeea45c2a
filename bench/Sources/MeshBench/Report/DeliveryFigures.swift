/// How a target was fed and what delivering the viewers' packets cost in CPU, counting what
/// sits in front of the server too: Meshcast takes WHIP publishers (WebRTC: ICE, DTLS, SRTP
/// decryption on ingest); Janus's streaming plugin takes plain RTP from meshbench (nothing to
/// decrypt). The feeder is the meshbench thread that runs the publishers, measured from
/// `/proc/self/task/TID/stat`.
struct DeliveryFigures: Codable, Sendable, Equatable {
    /// "webrtc" or "plain_rtp".
    var feed: String
    /// The same in words.
    var feedDescription: String
    /// CPU seconds of the server's processes (the nodes under test, or Janus).
    var serverCpuSeconds: Double
    /// CPU seconds of meshbench's feeding thread over the same window; `nil` if unreadable.
    var feederCpuSeconds: Double?
    /// RTP packets the viewers received (retransmissions included).
    var packetsDelivered: Int
    /// Server CPU µs per delivered packet.
    var serverCpuUsPerDeliveredPacket: Double?
    /// Server and feeder CPU µs per delivered packet: the figure to compare across servers.
    var totalCpuUsPerDeliveredPacket: Double?

    /// The figures for `packets` delivered at `server` + `feeder` CPU seconds.
    init(feed: FeedKind, serverCpuSeconds: Double, feederCpuSeconds: Double?, packetsDelivered: Int) {
        self.feed = feed.rawValue
        feedDescription = feed.description
        self.serverCpuSeconds = serverCpuSeconds
        self.feederCpuSeconds = feederCpuSeconds
        self.packetsDelivered = packetsDelivered
        let packets = Double(packetsDelivered)
        serverCpuUsPerDeliveredPacket = packets > 0 ? serverCpuSeconds * 1e6 / packets : nil
        totalCpuUsPerDeliveredPacket = packets > 0 ? (serverCpuSeconds + (feederCpuSeconds ?? 0)) * 1e6 / packets : nil
    }
}

/// How a server under test gets its streams.
enum FeedKind: String, Sendable, CustomStringConvertible {
    /// WHIP publishers: ICE, DTLS, SRTP.
    case webrtc
    /// Unencrypted RTP to the server's ports.
    case plainRTP = "plain_rtp"

    var description: String {
        switch self {
        case .webrtc: "WebRTC (WHIP publishers: ICE, DTLS-SRTP)"
        case .plainRTP: "plain RTP from meshbench (no SRTP on ingest)"
        }
    }
}
