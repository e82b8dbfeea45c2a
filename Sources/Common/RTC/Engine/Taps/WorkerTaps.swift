/// The ``StreamTap``s fed on one worker: each tap's consumers, one per track, in the worker's
/// ``TrackRouter``. Worker thread only.
final class WorkerTaps {
    private struct Attached {
        let tap: StreamTap
        let stream: LiveStream
        var tracks: [PublishedTrack]
        var consumers: [TapConsumer]
    }

    private let router: TrackRouter
    private var attached: [ObjectIdentifier: Attached] = [:]

    init(router: TrackRouter) {
        self.router = router
    }

    /// `tap` takes `layers[i]` of `tracks[i]` of `stream` from now on.
    func attach(_ tap: StreamTap, stream: LiveStream, tracks: [PublishedTrack], layers: [Int]) {
        var consumers: [TapConsumer] = []
        for (index, track) in tracks.enumerated() {
            let consumer = TapConsumer(tap: tap, trackIndex: index, layer: layers[index])
            router.add(consumer, of: track, layers: 1 << UInt64(consumer.layer))
            consumers.append(consumer)
        }
        attached[ObjectIdentifier(tap)] = Attached(tap: tap, stream: stream, tracks: tracks, consumers: consumers)
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
            for (index, consumer) in entry.consumers.enumerated()
            where tracks.indices.contains(index) && tracks[index].kind == entry.tracks[index].kind {
                let layer = min(consumer.layer, tracks[index].layers.count - 1)
                let moved = TapConsumer(
                    tap: entry.tap, trackIndex: index, layer: layer, startingBreak: .publisherChange)
                router.add(moved, of: tracks[index], layers: 1 << UInt64(layer))
                kept.append(tracks[index])
                consumers.append(moved)
            }
            attached[key] = Attached(tap: entry.tap, stream: stream, tracks: kept, consumers: consumers)
        }
    }
}
