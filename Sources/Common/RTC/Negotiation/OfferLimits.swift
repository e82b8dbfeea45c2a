import MeshWire

/// How many tracks one offer may ask for, checked on the parsed offer before any section is
/// negotiated, so that a refused offer costs no per-track state: each accepted video section
/// of a publisher gets a 1024-slot packet history (1.5 MB), and 550 of them once took 850 MB
/// of address space for one session.
///
/// Keys:
/// - `audioSections`, `videoSections`: `m=audio` and `m=video` lines (a WebRTC publisher sends
///   one of each; Chromium's and aiortc's offers in `Tests/Fixtures/sdp` have at most one each).
/// - `sections`: every `m=` line, other media (data channels) included.
/// - `ridsPerSection`: `a=rid` lines in one section: simulcast layers are rids within one
///   section (RFC 8853), at most ``SimulcastLayerSelector/maxLayers`` (Chromium sends 3).
public struct OfferLimits: Sendable, Hashable {
    /// `m=audio` sections per offer.
    public var audioSections: Int
    /// `m=video` sections per offer.
    public var videoSections: Int
    /// Media sections of any kind per offer.
    public var sections: Int
    /// `a=rid` lines per media section.
    public var ridsPerSection: Int

    /// Limits from their keys.
    public init(
        audioSections: Int = 4, videoSections: Int = 4, sections: Int = 10,
        ridsPerSection: Int = SimulcastLayerSelector.maxLayers
    ) {
        self.audioSections = audioSections
        self.videoSections = videoSections
        self.sections = sections
        self.ridsPerSection = ridsPerSection
    }

    /// 4 audio, 4 video, 10 sections in all, 4 rids per section.
    public static let `default` = OfferLimits()

    /// Throws ``NegotiationError/tooManyTracks(_:)`` when `offer` asks for more than the limits;
    /// counts lines only.
    func check(_ offer: SessionDescription) throws(NegotiationError) {
        let media = offer.media
        let audio = media.count { $0.mediaLine.media == "audio" }
        let video = media.count { $0.mediaLine.media == "video" }
        if media.count > sections || audio > audioSections || video > videoSections {
            throw .tooManyTracks(
                "the SDP offer has \(media.count) media sections (\(audio) audio, \(video) video); this server takes at most \(audioSections) audio and \(videoSections) video sections, \(sections) in all, per session"
            )
        }
        if let index = media.firstIndex(where: { $0.rids.count > ridsPerSection }) {
            throw .tooManyTracks(
                "media section \(index + 1) of the SDP offer lists \(media[index].rids.count) rids; this server takes at most \(ridsPerSection) simulcast layers per section (RFC 8853)"
            )
        }
    }
}
