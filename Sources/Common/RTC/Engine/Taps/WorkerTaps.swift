/// The ``StreamTap``s fed on one worker: each tap's consumers, one per track, in the worker's
/// ``TrackRouter``. Worker thread only.
final class WorkerTaps {
    private struct Attached {
        let tap: StreamTap
        let stream: LiveStream
        /// By tap track: the index of its track in the stream.
        let positions: [Int]
        /// The tracks fed, one per consumer (a track once per layer with `layers: all`).
        var tracks: [PublishedTrack]
        var consumers: [TapConsumer]
    }

    private let router: TrackRouter
    private var attached: [ObjectIdentifier: Attached] = [:]

    init(router: TrackRouter) {
        self.router = router
    }

    /// `tap` takes the stream's track `positions[i]` of `tracks`, as `tap.tracks[i]` describes it
    /// (its layer, or the best live one), from now on. A track tapped once per layer
    /// (`layers: all`) is at several positions.
    func attach(_ tap: StreamTap, stream: LiveStream, tracks streamTracks: [PublishedTrack], positions: [Int]) {
        var consumers: [TapConsumer] = []
        var tracks: [PublishedTrack] = []
        for (index, position) in positions.enumerated() where streamTracks.indices.contains(position) {
            let track = streamTracks[position]
            tracks.append(track)
            let described = tap.tracks[index]
            let consumer = TapConsumer(
                tap: tap, trackIndex: index, layer: described.layer, followsTop: described.followsTop)
            router.add(consumer, of: track, layers: consumer.wantedLayers(of: track))
            consumers.append(consumer)
        }
        attached[ObjectIdentifier(tap)] = Attached(
            tap: tap, stream: stream, positions: positions, tracks: tracks, consumers: consumers)
    }

    /// `tap` takes nothing more from this worker.
    func detach(_ tap: StreamTap) {
        guard let entry = attached.removeValue(forKey: ObjectIdentifier(tap)) else { return }
        for (track, consumer) in zip(entry.tracks, entry.consumers) { router.remove(consumer, of: track) }
    }

    /// The stream's tracks were rebuilt (a publisher came back with other tracks): taps move to
    /// the new tracks of the same place and kind; the others stop being fed.
    func follow(_ stream: LiveStream, to tracks: [PublishedTrack]) {
        for (key, entry) in attached where entry.stream === stream {
            for (track, consumer) in zip(entry.tracks, entry.consumers) { router.remove(consumer, of: track) }
            var kept: [PublishedTrack] = []
            var consumers: [TapConsumer] = []
            for (old, consumer) in zip(entry.tracks, entry.consumers) {
                let position = entry.positions[consumer.trackIndex]
                guard tracks.indices.contains(position), tracks[position].kind == old.kind else { continue }
                let layer = min(consumer.layer, tracks[position].layers.count - 1)
                let moved = TapConsumer(
                    tap: entry.tap, trackIndex: consumer.trackIndex, layer: layer, followsTop: consumer.followsTop,
                    startingBreak: .publisherChange)
                router.add(moved, of: tracks[position], layers: moved.wantedLayers(of: tracks[position]))
                kept.append(tracks[position])
                consumers.append(moved)
            }
            attached[key] = Attached(
                tap: entry.tap, stream: stream, positions: entry.positions, tracks: kept, consumers: consumers)
        }
    }
}
