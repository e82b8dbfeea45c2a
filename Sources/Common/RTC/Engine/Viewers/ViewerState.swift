/// One media section of a viewer's answer and the published track feeding it.
final class ViewerTrack {
    unowned let session: MediaSession
    /// The viewer's side of the negotiation for this section.
    let media: NegotiatedMedia
    /// The publisher's track this section shows, once there is one.
    var source: PublishedTrack?
    /// Rewrites and retransmits for this viewer; kept across publisher reconnects so that the
    /// viewer's stream stays continuous.
    var forwarder: ViewerTrackForwarder?
    /// The layer last reported in the log, so that switches are logged once each.
    var loggedLayer: Int?
    /// The layers of ``source`` the router delivers to this section (a bit per layer index), as
    /// last registered with it.
    var registeredLayers: UInt64 = 0

    init(session: MediaSession, media: NegotiatedMedia) {
        self.session = session
        self.media = media
    }
}

/// A viewer session's media state (viewer's worker only).
final class ViewerState {
    let negotiated: NegotiatedSession
    let options: ViewerOptions
    var tracks: [ViewerTrack] = []
    /// When the `maxBitrate` cap lifts (`nil`: never, or no cap); the forwarders' estimators
    /// drop the cap themselves at that time.
    let capExpiry: UInt64?

    init(negotiated: NegotiatedSession, options: ViewerOptions, now: UInt64) {
        self.negotiated = negotiated
        self.options = options
        capExpiry = options.maxBitrateSeconds.map { now &+ .seconds($0) }
    }
}
