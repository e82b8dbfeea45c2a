/// A viewer's media section takes its source track's packets: rewritten for the viewer (SSRC,
/// sequence, timestamp, simulcast layer), encrypted with the viewer's SRTP context, batched.
extension ViewerTrack: TrackConsumer {
    var isLink: Bool { false }

    func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter) {
        let output = router.output
        // One strong load of the unowned reference: each `session.` would check and retain it.
        let session = self.session
        guard session.isConnected, let destination = session.transport.remoteAddress, let forwarder else { return }
        let buffer = output.nextBuffer
        let length = forwarder.forward(layer: layer, sequence: sequence, now: now, into: buffer)
        if let wanted = forwarder.takeKeyframeRequest() { track.wantKeyframe(layer: wanted) }
        // The packet that decides a switch also brings the target layer's notices to this worker.
        registerWantedLayers(with: router)
        guard let length else { return }
        // Test knob: lose a share of first transmissions; the viewer's NACKs recover them.
        if output.viewerDropRate > 0, Double.random(in: 0..<1, using: &output.random) < output.viewerDropRate {
            output.counters.drop(.testDrop)
            return
        }
        guard let protected = session.transport.protectRTP(buffer, length: length) else {
            output.counters.drop(.srtpProtect)
            return
        }
        output.egress.commit(length: protected, to: destination)
        output.counters.packetsForwarded &+= 1
    }
}

extension ViewerTrack {
    /// Tells `router` which layers of ``source`` the forwarder wants now, when that changed:
    /// after each forwarded packet and each tick (a target chosen from RTCP or a layer that
    /// stopped may otherwise wait for a packet that no longer comes).
    func registerWantedLayers(with router: TrackRouter) {
        guard let source else { return }
        let layers = forwarder?.wantedLayers ?? 0
        guard layers != registeredLayers else { return }
        registeredLayers = layers
        router.want(layers, by: self, of: source)
    }
}
