import Synchronization

/// A recorder's counters for `/metrics`: written by the recording queue, read by scrapes.
final class RecorderMetrics: Sendable {
    /// Segments closed (normally).
    let segments = Atomic<Int>(0)
    /// Bytes in closed segments.
    let bytes = Atomic<Int>(0)
    /// Gaps catalogued.
    let gaps = Atomic<Int>(0)
    /// Frames no segment took (before the first key frame, older than a cut).
    let droppedFrames = Atomic<Int>(0)
    /// Opus silence frames written into audio holes (``OpusGapFiller``).
    let silenceFrames = Atomic<Int>(0)
    /// Moves of a `layers: top` video track to another simulcast layer.
    let layerSwitches = Atomic<Int>(0)
    /// Recordings that failed writing.
    let failures = Atomic<Int>(0)
    /// Recordings whose files retention deleted.
    let expired = Atomic<Int>(0)
    /// Time to write one cluster or close one segment, worst of the last scrape interval (ns).
    let slowestWrite = Atomic<Int>(0)

    /// The Prometheus text for these, the active recordings, the taps' ring drops and the
    /// catalog's lag.
    func prometheusText(active: Int, tapDrops: Int, catalogPending: Int, catalogBehind: Double, rejected: Int)
        -> String
    {
        let slowest = Double(slowestWrite.exchange(0, ordering: .relaxed)) / 1e9
        return """
            # HELP meshcast_recordings_active Recordings being written on this recorder.
            # TYPE meshcast_recordings_active gauge
            meshcast_recordings_active \(active)
            # HELP meshcast_recording_segments_total Segments closed.
            # TYPE meshcast_recording_segments_total counter
            meshcast_recording_segments_total \(segments.load(ordering: .relaxed))
            # HELP meshcast_recording_bytes_total Bytes in closed segments.
            # TYPE meshcast_recording_bytes_total counter
            meshcast_recording_bytes_total \(bytes.load(ordering: .relaxed))
            # HELP meshcast_recording_gaps_total Gaps (loss, malformed payloads) bridged and catalogued.
            # TYPE meshcast_recording_gaps_total counter
            meshcast_recording_gaps_total \(gaps.load(ordering: .relaxed))
            # HELP meshcast_recording_dropped_frames_total Frames no segment took.
            # TYPE meshcast_recording_dropped_frames_total counter
            meshcast_recording_dropped_frames_total \(droppedFrames.load(ordering: .relaxed))
            # HELP meshcast_recording_silence_frames_total Opus silence frames written into audio holes (loss, DTX).
            # TYPE meshcast_recording_silence_frames_total counter
            meshcast_recording_silence_frames_total \(silenceFrames.load(ordering: .relaxed))
            # HELP meshcast_recording_layer_switches_total Moves of recorded video to another simulcast layer (layers: top).
            # TYPE meshcast_recording_layer_switches_total counter
            meshcast_recording_layer_switches_total \(layerSwitches.load(ordering: .relaxed))
            # HELP meshcast_recording_failures_total Recordings stopped by a write error.
            # TYPE meshcast_recording_failures_total counter
            meshcast_recording_failures_total \(failures.load(ordering: .relaxed))
            # HELP meshcast_recordings_expired_total Recordings whose files retention deleted.
            # TYPE meshcast_recordings_expired_total counter
            meshcast_recordings_expired_total \(expired.load(ordering: .relaxed))
            # HELP meshcast_recording_tap_drops Packets the active recordings' rings dropped (the writer fell behind).
            # TYPE meshcast_recording_tap_drops gauge
            meshcast_recording_tap_drops \(tapDrops)
            # HELP meshcast_recording_write_seconds_max Slowest cluster write or segment close since the last scrape.
            # TYPE meshcast_recording_write_seconds_max gauge
            meshcast_recording_write_seconds_max \(slowest)
            # HELP meshcast_catalog_pending Catalog changes not yet in PostgreSQL.
            # TYPE meshcast_catalog_pending gauge
            meshcast_catalog_pending \(catalogPending)
            # HELP meshcast_catalog_behind_seconds How long the oldest pending change has waited.
            # TYPE meshcast_catalog_behind_seconds gauge
            meshcast_catalog_behind_seconds \(catalogBehind)
            # HELP meshcast_catalog_rejected_total Changes PostgreSQL refused (logged with their SQLSTATE).
            # TYPE meshcast_catalog_rejected_total counter
            meshcast_catalog_rejected_total \(rejected)

            """
    }

    /// Notes how long a write took.
    func noteWrite(nanoseconds: Int) {
        var seen = slowestWrite.load(ordering: .relaxed)
        while nanoseconds > seen {
            let (exchanged, original) = slowestWrite.compareExchange(
                expected: seen, desired: nanoseconds, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }
}
