/// Why a worker dropped a datagram or a packet: the `reason` label of
/// `meshcast_dropped_packets_total`. The raw values are the labels operators see; keep them.
enum DropReason: String, CaseIterable, Sendable {
    // The demultiplexer (WorkerMedia.receive)
    case stunMalformed = "stun_malformed"
    case stunNoUser = "stun_no_user"
    case unknownSender = "unknown_sender"
    case viewerRTP = "viewer_rtp"
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
    // What a session's transport refused (``PeerDropReason``)
    case notDemuxable = "not_demuxable"
    case notSTUN = "not_stun"
    case unexpectedSTUN = "unexpected_stun"
    case badRequest = "bad_request"
    case unknownUsername = "unknown_username"
    case badIntegrity = "bad_integrity"
    case unknownAttributes = "unknown_attributes"
    case bindingFailed = "binding_failed"
    case unknownAddress = "unknown_address"
    case dtlsError = "dtls_error"
    case notConnected = "not_connected"
    case srtpAuth = "srtp_auth"
    case srtpReplay = "srtp_replay"
    case srtpError = "srtp_error"
    case malformed = "malformed"

    /// The label a transport refusal is counted under (the same as ``PeerDropReason/name``).
    init(_ peer: PeerDropReason) {
        switch peer {
        case .notDemuxable: self = .notDemuxable
        case .notSTUN: self = .notSTUN
        case .unexpectedSTUN: self = .unexpectedSTUN
        case .badRequest: self = .badRequest
        case .unknownUsername: self = .unknownUsername
        case .badIntegrity: self = .badIntegrity
        case .unknownAttributes: self = .unknownAttributes
        case .bindingFailed: self = .bindingFailed
        case .unknownAddress: self = .unknownAddress
        case .dtlsError: self = .dtlsError
        case .notConnected: self = .notConnected
        case .srtpAuth: self = .srtpAuth
        case .srtpReplay: self = .srtpReplay
        case .srtpError: self = .srtpError
        case .malformed: self = .malformed
        }
    }
}
