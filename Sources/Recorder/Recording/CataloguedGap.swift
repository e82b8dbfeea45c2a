import MeshCatalog
import MeshRTC
import MeshRecording

/// How a track's gap goes into the catalog: its reason from the depacketizer's and the tap's
/// (``TapBreak``), and its span from the track's last frame before the hole to its first after.
///
/// The depacketizer sees a hole only at the first packet after it, so the gap it reports starts
/// there (or at the frame it was assembling); what went missing began after the track's last
/// whole frame, so the gap starts at that frame when there was one. Otherwise a second lost
/// would be catalogued as the few milliseconds between the packet that revealed it and the
/// frame that ended it.
enum CataloguedGap {
    /// The catalog row for `gap`, after the break `cause` the tap reported before it, on a
    /// track whose last frame was at `lastFrame` (wall ns, 0 before one); times from
    /// `recordingStart` (wall ns).
    static func row(_ gap: TrackIngest.Gap, after cause: TapBreak, lastFrame: Int64, recordingStart: Int64)
        -> RecordedGap
    {
        var start = gap.start
        if lastFrame > 0, lastFrame < start { start = max(lastFrame, recordingStart) }
        let reason =
            switch (gap.reason, cause) {
            case (.malformedPayload, _): "malformed-payload"
            case (.packetLoss, .linkMove): "link-move"
            case (.packetLoss, .publisherChange): "publisher-reconnect"
            case (.packetLoss, .layerSwitch): "layer-switch"
            case (.packetLoss, .none), (.packetLoss, .loss): "loss"
            }
        return RecordedGap(
            at: Double(start - recordingStart) / 1e9, duration: Double(max(gap.end, start) - start) / 1e9,
            reason: reason)
    }
}
