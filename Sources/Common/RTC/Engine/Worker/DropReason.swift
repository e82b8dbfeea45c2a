/// Why a worker dropped a datagram or a packet: the `reason` label of
/// `meshcast_dropped_packets_total`. The raw values are the labels operators see; keep them.
/// What a session's transport refuses is counted under its own ``PeerDropReason/name``.
enum DropReason: String, CaseIterable, Sendable {
    // The demultiplexer (WorkerMedia.receive)
    case stunMalformed = "stun_malformed"
    case stunNoUser = "stun_no_user"
    case unknownSender = "unknown_sender"
    case viewerRTP = "viewer_rtp"
    /// A DTLS handshake record found the worker's backlog full (``HandshakeBacklog``).
    case handshakeBacklogFull = "handshake_backlog_full"
    // Publisher ingest
    case rtpMalformed = "rtp_malformed"
    case rtpUnknownSSRC = "rtp_unknown_ssrc"
    case rtxUnusable = "rtx_unusable"
    case rtxMalformed = "rtx_malformed"
    case rtcpMalformed = "rtcp_malformed"
    // Routing and egress
    case inboxFull = "inbox_full"
    case srtpProtect = "srtp_protect"
    case sendFailed = "send_failed"
    case socketFull = "socket_full"
    case linkHistoryMiss = "link_history_miss"
    // Links
    case linkFeedbackRejected = "link_feedback_rejected"
    case linkMediaRejected = "link_media_rejected"
    // Test faults (MESHCAST test knobs)
    case testDrop = "test_drop"
    case testLinkDrop = "test_link_drop"
}
