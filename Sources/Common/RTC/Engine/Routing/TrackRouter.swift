import MeshRuntime

/// What a producer's worker hands to another worker with consumers of the stream: one push per
/// worker, not per consumer. Holds a reference, not bytes: the packet stays in the layer's history.
struct ForwardNotice: Sendable {
    /// The track the packet belongs to.
    let track: PublishedTrack
    /// The layer's index.
    let layer: Int
    /// The packet's RTP sequence number.
    let sequence: UInt16
}

/// One worker's routing table (the mediasoup shape: a router between producers and consumers).
///
/// Producers (publisher ingest, link ingest) call ``route(_:layer:sequence:now:)`` on the worker
/// where the packet arrived. Each layer's worker mask names every worker with a consumer that
/// wants that layer now (issue 12: a worker whose viewers all watch the lowest layer gets no
/// notices of the others); each of those gets one ``ForwardNotice`` in its inbox (this worker
/// delivers directly), and its router hands the packet to each consumer of the track. Consumers
/// join, leave and change the layers they want here only, which keeps the masks and the table in
/// step. Worker thread only.
final class TrackRouter {
    let index: Int
    let output: WorkerOutput
    /// The other workers' inboxes, by worker index (set once all workers started).
    var inboxes: [(any LoopInbox<ForwardNotice>)?] = []
    /// The consumers of each published track on this worker, links first.
    private(set) var consumers: [ObjectIdentifier: [any TrackConsumer]] = [:]
    /// The layers each consumer wants of each track, as registered (``ConsumerOfTrack``).
    private var wanted: [ConsumerOfTrack: UInt64] = [:]
    /// How many consumers on this worker want each layer (by the layer's identity): the first
    /// sets this worker's bit in the layer's mask, the last clears it.
    private var wantsPerLayer: [ObjectIdentifier: Int] = [:]

    init(index: Int, output: WorkerOutput) {
        self.index = index
        self.output = output
    }

    // MARK: The data path

    /// A producer on this worker stored a packet: every worker with a consumer that wants its
    /// layer gets it.
    func route(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64) {
        guard track.layers.indices.contains(layer) else { return }
        var mask = track.layers[layer].consumerWorkers.load(ordering: .acquiring)
        while mask != 0 {
            let target = mask.trailingZeroBitCount
            mask &= mask &- 1
            if target == index {
                deliver(track, layer: layer, sequence: sequence, now: now)
            } else if inboxes[target]?.send(ForwardNotice(track: track, layer: layer, sequence: sequence)) != .accepted
            {
                output.counters.drop(.inboxFull)
            }
        }
    }

    /// Hands one packet to every consumer of `track` on this worker (batched; the caller's
    /// receive batch or inbox drain ends with a flush, and a batch never waits longer than
    /// ``WorkerOutput/maximumWait``).
    func deliver(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64) {
        guard let list = consumers[ObjectIdentifier(track)] else { return }
        output.flushIfWaiting(now: now)
        for consumer in list { consumer.consume(track, layer: layer, sequence: sequence, now: now, router: self) }
    }

    // MARK: Membership

    /// `consumer` takes `layers` (a bit per layer index) of `track` from now on.
    func add(_ consumer: any TrackConsumer, of track: PublishedTrack, layers: UInt64) {
        let key = ObjectIdentifier(track)
        if consumer.isLink {
            consumers[key, default: []].insert(consumer, at: 0)
        } else {
            consumers[key, default: []].append(consumer)
        }
        want(layers, by: consumer, of: track)
    }

    /// `consumer` no longer takes `track`.
    func remove(_ consumer: any TrackConsumer, of track: PublishedTrack) {
        want(0, by: consumer, of: track)
        let key = ObjectIdentifier(track)
        consumers[key]?.removeAll { $0 === consumer }
        if consumers[key]?.isEmpty == true { consumers[key] = nil }
    }

    /// `consumer` now wants `layers` of `track` (a viewer switching layers): only the layers whose
    /// count on this worker moves between 0 and 1 touch the shared masks.
    func want(_ layers: UInt64, by consumer: any TrackConsumer, of track: PublishedTrack) {
        let key = ConsumerOfTrack(consumer: ObjectIdentifier(consumer), track: ObjectIdentifier(track))
        let before = wanted[key] ?? 0
        guard layers != before else { return }
        wanted[key] = layers == 0 ? nil : layers
        let bit = UInt64(1) << UInt64(index)
        for layer in track.layers {
            let mask = UInt64(1) << UInt64(layer.index)
            let id = ObjectIdentifier(layer)
            switch (before & mask != 0, layers & mask != 0) {
            case (false, true):
                wantsPerLayer[id, default: 0] += 1
                if wantsPerLayer[id] == 1 { layer.consumerWorkers.bitwiseOr(bit, ordering: .releasing) }
            case (true, false):
                wantsPerLayer[id, default: 1] -= 1
                if wantsPerLayer[id] == 0 {
                    wantsPerLayer[id] = nil
                    layer.consumerWorkers.bitwiseAnd(~bit, ordering: .releasing)
                }
            default:
                continue
            }
        }
    }
}

/// One consumer's registration for one track (a link consumer forwards several tracks).
private struct ConsumerOfTrack: Hashable {
    let consumer: ObjectIdentifier
    let track: ObjectIdentifier
}
