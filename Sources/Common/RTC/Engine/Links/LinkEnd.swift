import MeshRuntime

/// One end of a relay link on the worker that owns it: the sans-IO link end (``LinkSender``
/// or ``LinkReceiver``) plus what the engine needs around it. Made on a control thread and
/// handed to its worker, which alone touches it from then on.
final class LinkEnd: @unchecked Sendable {
    /// The sending (upstream) or receiving (downstream) half.
    enum Half {
        case sending(LinkSendingHalf)
        case receiving(LinkReceivingHalf)
    }

    let id: String
    let peerNode: String
    /// The other end's UDP address: the demultiplexer's key and where datagrams go.
    let peer: SocketAddress
    let peerAddress: LinkAddress
    let half: Half
    let createdAt: UInt64
    /// Set when the receiving half heard nothing for its liveness timeout (reported once).
    var isDown = false
    /// Share of first transmissions this (sending) end drops on purpose: a test fault.
    var testDropRate = 0.0

    init(id: String, peerNode: String, peer: SocketAddress, peerAddress: LinkAddress, half: Half, now: UInt64) {
        self.id = id
        self.peerNode = peerNode
        self.peer = peer
        self.peerAddress = peerAddress
        self.half = half
        self.createdAt = now
    }
}

/// The upstream half: what it forwards and the layers its key frame requests reach.
final class LinkSendingHalf {
    let sender: LinkSender
    /// Protected packets waiting for the worker's next flush (``WorkerOutput/commitLink``).
    let batch = LinkBatch()
    /// Forwarded streams and the tracks forwarded for each.
    var streams: [String: (stream: LiveStream, tracks: [PublishedTrack])] = [:]
    /// Forwarded layers by mesh SSRC, so a downstream PLI finds the layer to ask a key frame of.
    var layersBySSRC: [UInt32: PublishedLayer] = [:]
    /// The end's consumer in its worker's ``TrackRouter`` (one for every track it forwards),
    /// made when the end joins its worker.
    var consumer: LinkConsumer?

    init(sender: LinkSender) { self.sender = sender }
}

/// The downstream half: which local layer each received mesh SSRC feeds.
final class LinkReceivingHalf {
    /// Where a received track's packets go, and the bytes counted for its layer's bitrate.
    struct Route {
        let track: PublishedTrack
        let layer: Int
        let stream: LiveStream
        var bytesThisSecond = 0
        /// The layer history's ``PacketHistory/generation`` its publisher clock belongs to.
        var clockGeneration: UInt32
    }

    let receiver: LinkReceiver
    var routes: [UInt32: Route] = [:]

    init(receiver: LinkReceiver) {
        self.receiver = receiver
        routes.reserveCapacity(64)
    }

    /// The streams received on this link.
    var streamNames: [String] { Array(Set(routes.values.map(\.stream.name))).sorted() }

    /// Keeps the publisher NTP/RTP `pair` relayed for `ssrc` in its layer's clock, unless the
    /// clock holds a newer one (``SenderReportClock/receivedRelayedSenderReport(_:)``).
    func receivedSenderReport(ssrc: UInt32, pair: SenderReportClock.Mapping) {
        guard let slot = routes.index(forKey: ssrc) else { return }
        let layer = forgetClockAfterBreak(at: slot)
        _ = layer.senderReport.withLock { $0.receivedRelayedSenderReport(pair) }
    }

    /// Resets the publisher clock of the layer at `slot` when its history marked a break since
    /// the clock's pair came (a publisher reconnect upstream shows here as a break, and its new
    /// pair may be older by NTP time than the old publisher's last), and returns the layer.
    @discardableResult
    func forgetClockAfterBreak(at slot: Dictionary<UInt32, Route>.Index) -> PublishedLayer {
        let route = routes.values[slot]
        let layer = route.track.layers[route.layer]
        let generation = layer.history.generation
        if generation != route.clockGeneration {
            routes.values[slot].clockGeneration = generation
            layer.senderReport.withLock { $0.reset() }
        }
        return layer
    }
}
