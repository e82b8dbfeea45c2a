import MeshRTC
import MeshRecording

extension ActiveRecording {
    /// What a recording keeps for one tap track: its depacketizer and clock, and where its feed
    /// stands. A new tap (a direct ingest's renegotiation) or a layer switch starts it over.
    struct TrackState {
        /// The track's depacketizer and clock.
        var ingest: TrackIngest
        /// Used for audio only.
        var filler = OpusGapFiller()
        /// Why the feed last broke (``TapBreak``), until the gap it opened is catalogued or a
        /// frame follows on without one (a move that lost nothing).
        var breakReason = TapBreak.none
        /// The wall time (ns) of its last frame out of the depacketizer, 0 before one.
        var lastFrameWall: Int64 = 0
        /// The last frame's wall time when its timeline restarted (a publisher that
        /// reconnected, ``TrackIngest/restarts``), until the first frame after it.
        var restartedAfter: Int64?
        /// Whether video was waiting for a key frame after the last packet.
        var videoWaiting = true
        /// The simulcast layer its ingest reads now.
        var layer: Int
        /// Set when the track moved to another layer, until the segment that starts at the new
        /// layer's first key frame is open.
        var switchPending = false
        /// The last frame's wall time before a layer switch, until the first frame after it.
        var switchedAfter: Int64?

        /// A track's state at its start, reading `layer` (the track's own layer by default).
        init(track: TappedTrack, layer: Int? = nil) {
            ingest = TrackIngest(track: track)
            self.layer = layer ?? track.layer
        }
    }
}
