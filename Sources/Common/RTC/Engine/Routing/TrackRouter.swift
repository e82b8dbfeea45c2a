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
/// Producers (publisher ingest, link ingest) call ``route(_:layer:sequence:stream:now:)`` on the
/// worker where the packet arrived. The stream's worker mask names every worker with a consumer
/// of it; each of those gets one ``ForwardNotice`` in its inbox (this worker delivers directly),
/// and its router hands the packet to each consumer of the track. Consumers join and leave here
/// only, which keeps the mask and the table in step. Worker thread only.
final class TrackRouter {
    let index: Int
    let output: WorkerOutput
    /// The other workers' inboxes, by worker index (set once all workers started).
    var inboxes: [(any LoopInbox<ForwardNotice>)?] = []
    /// The consumers of each published track on this worker, links first.
    private(set) var consumers: [ObjectIdentifier: [any TrackConsumer]] = [:]
    /// How many consumers of each stream live on this worker: the first sets the worker's bit
    /// in the stream's mask, the last clears it.
    private var consumersPerStream: [ObjectIdentifier: Int] = [:]

    init(index: Int, output: WorkerOutput) {
        self.index = index
        self.output = output
    }

    // MARK: The data path

    /// A producer on this worker stored a packet: every worker with consumers of `stream` gets it.
    func route(_ track: PublishedTrack, layer: Int, sequence: UInt16, stream: LiveStream, now: UInt64) {
        var mask = stream.consumerWorkers.load(ordering: .acquiring)
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
        for consumer in list { consumer.consume(track, layer: layer, sequence: sequence, now: now, output: output) }
    }

    // MARK: Membership

    /// `consumer` takes `track` of `stream` from now on.
    func add(_ consumer: any TrackConsumer, of track: PublishedTrack) {
        let key = ObjectIdentifier(track)
        if consumer.isLink {
            consumers[key, default: []].insert(consumer, at: 0)
        } else {
            consumers[key, default: []].append(consumer)
        }
    }

    /// `consumer` no longer takes `track`.
    func remove(_ consumer: any TrackConsumer, of track: PublishedTrack) {
        let key = ObjectIdentifier(track)
        consumers[key]?.removeAll { $0 === consumer }
        if consumers[key]?.isEmpty == true { consumers[key] = nil }
    }

    /// One more consumer (a viewer session, a link forwarding) of `stream` on this worker.
    func join(_ stream: LiveStream) {
        let key = ObjectIdentifier(stream)
        consumersPerStream[key, default: 0] += 1
        if consumersPerStream[key] == 1 { stream.consumerWorkers.bitwiseOr(1 << UInt64(index), ordering: .releasing) }
    }

    /// One fewer; the last clears this worker's bit.
    func leave(_ stream: LiveStream) {
        let key = ObjectIdentifier(stream)
        consumersPerStream[key, default: 1] -= 1
        if consumersPerStream[key] == 0 {
            consumersPerStream[key] = nil
            stream.consumerWorkers.bitwiseAnd(~(1 << UInt64(index)), ordering: .releasing)
        }
    }
}
