/// A sending link end's forwarding of one track to the next node: each packet is loaded from
/// the layer's history straight into the link's own send batch and protected in place with the
/// link's SRTP context (it keeps its mesh SSRC and sequence number on every hop). The worker
/// flushes the batch with its egress batch, so a frame's packets go as one GSO run.
final class LinkConsumer: TrackConsumer {
    unowned let end: LinkEnd
    let sending: LinkSendingHalf
    let trace: HopTrace?

    var isLink: Bool { true }

    init(end: LinkEnd, sending: LinkSendingHalf, trace: HopTrace?) {
        self.end = end
        self.sending = sending
        self.trace = trace
    }

    func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter) {
        let output = router.output
        let shared = track.layers[layer]
        let buffer = output.nextLinkBuffer(sending)
        guard let stored = shared.history.load(sequence: sequence, into: buffer) else {
            output.counters.drop(.linkHistoryMiss)
            return
        }
        // Test knobs: lose a share of first transmissions on links; the next hop's NACKs recover them.
        let rate = max(output.linkDropRate, end.testDropRate)
        if rate > 0, Double.random(in: 0..<1, using: &output.random) < rate {
            output.counters.drop(.testLinkDrop)
            return
        }
        guard let length = sending.sender.protect(inPlace: buffer, length: stored.length, now: now) else { return }
        trace?.record(.linkOut, ssrc: shared.meshSSRC, sequence: sequence, at: now, worker: output.index)
        output.commitLink(length: length, end, sending)
    }
}
