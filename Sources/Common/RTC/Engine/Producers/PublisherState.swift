import MeshWire

/// Where packets with one SSRC go: a track's layer, as media or as its RTX stream.
struct PacketRoute {
    let track: Int
    let layer: Int
    let isRetransmission: Bool
}

/// Receive-side state of one layer of a publisher's track (publisher's worker only).
final class PublisherLayerState {
    let shared: PublishedLayer
    /// Created with the first packet, which tells the layer's SSRC.
    var statistics: ReceiveStatistics?
    var nacks = NACKRequester()
    var bytesThisSecond = 0
    /// Key frame requests for this layer, merged. Per layer, not per track: a simulcast
    /// publisher answers a PLI with a key frame of that layer only, so a key frame of one layer
    /// must not swallow (as "already answered") the requests for another (RFC 5104 §4.3.1.1
    /// keeps FIR sequence numbers per target SSRC too).
    var keyframeGate = KeyframeRequestGate()

    init(shared: PublishedLayer) { self.shared = shared }
}

/// Receive-side state of one publisher track.
final class PublisherTrackState {
    let shared: PublishedTrack
    let media: NegotiatedMedia
    let layers: [PublisherLayerState]
    /// Our estimate of the publisher's round-trip time, for NACK retry spacing.
    var roundTripTime: UInt64 = .milliseconds(100)

    init(shared: PublishedTrack, media: NegotiatedMedia) {
        self.shared = shared
        self.media = media
        layers = shared.layers.map(PublisherLayerState.init(shared:))
    }
}

/// A publisher session's media state (publisher's worker only).
final class PublisherState {
    let negotiated: NegotiatedSession
    let tracks: [PublisherTrackState]
    /// SSRC → where its packets go; learnt from `a=ssrc` or from the mid/rid extensions.
    var routes: [UInt32: PacketRoute] = [:]
    /// Transport-wide CC feedback for the publisher's send-side estimator, when negotiated.
    var transportCC: TransportCCFeedbackBuilder?
    let transportCCExtension: UInt8?
    let midExtension: UInt8?
    /// The SSRC our RTCP to the publisher is sent from.
    let feedbackSSRC: UInt32
    var lastTransportCC: UInt64 = 0
    var lastReport: UInt64 = 0

    init(negotiated: NegotiatedSession, tracks: [PublisherTrackState], feedbackSSRC: UInt32) {
        self.negotiated = negotiated
        self.tracks = tracks
        self.feedbackSSRC = feedbackSSRC
        // BUNDLE gives every section the same ids in practice; take them from any section
        // that has them (audio sections have no rid, for one).
        let extensions = negotiated.media.map(\.extensions)
        transportCCExtension = extensions.lazy.compactMap(\.transportCC).first
        midExtension = extensions.lazy.compactMap(\.mid).first
        if transportCCExtension != nil { transportCC = TransportCCFeedbackBuilder() }
        for (trackIndex, track) in tracks.enumerated() {
            if let ssrc = track.media.remoteSSRC {
                routes[ssrc] = PacketRoute(track: trackIndex, layer: 0, isRetransmission: false)
            }
            if let ssrc = track.media.remoteRTXSSRC {
                routes[ssrc] = PacketRoute(track: trackIndex, layer: 0, isRetransmission: true)
            }
        }
    }

    /// Works out where a packet with an SSRC not seen before belongs: its mid (or payload
    /// type) names the track, its rid (or repaired rid for RTX) the layer (RFC 8852, RFC 8853).
    func learnRoute(for packet: RTPPacketView) -> PacketRoute? {
        let extensions = packet.headerExtension
        var trackIndex: Int?
        if let id = midExtension, let mid = extensions?.element(id: id) {
            trackIndex = tracks.firstIndex { $0.media.mid.utf8.elementsEqual(mid.value) }
        }
        if trackIndex == nil {
            trackIndex = tracks.firstIndex { track in
                track.shared.codec.payloadType == packet.payloadType
                    || track.shared.codec.rtxPayloadType == packet.payloadType
            }
        }
        guard let trackIndex else { return nil }
        let track = tracks[trackIndex]
        let isRetransmission = track.shared.codec.rtxPayloadType == packet.payloadType
        var layer = 0
        if track.layers.count > 1 {
            let ridID = isRetransmission ? track.media.extensions.repairedRID : track.media.extensions.rid
            guard let id = ridID, let rid = extensions?.element(id: id),
                let index = track.shared.layers.firstIndex(where: { $0.rid.utf8.elementsEqual(rid.value) })
            else { return nil }
            layer = index
        }
        let route = PacketRoute(track: trackIndex, layer: layer, isRetransmission: isRetransmission)
        routes[packet.ssrc] = route
        return route
    }
}
