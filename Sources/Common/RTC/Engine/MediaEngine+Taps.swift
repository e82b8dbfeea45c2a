/// Taps: a stream's packets for a consumer that is not a network peer (a recorder).
extension MediaEngine {
    /// Taps `stream`, which this node must carry (received over a relay link, or published
    /// here): each track's best layer (the top of its ranking now) is handed out in sequence
    /// order through the returned ``StreamTap`` until ``removeTap(_:)``. While tapped, the
    /// stream counts as used (``CarriedStreamSnapshot/taps``), so it is not unsubscribed as idle.
    /// `capacity` is the ring's size in packets.
    public func addTap(stream: String, capacity: Int = 2048) async throws(LinkError) -> StreamTap {
        guard let carried = registry.carried(stream) else { throw .unknownStream(stream) }
        guard let media = workers.first else { throw .unavailable("the engine has no worker") }
        let layers = carried.tracks.map { $0.layerOrder.layer(atRank: max($0.layerOrder.count - 1, 0)) }
        let described = zip(carried.tracks, layers).map { track, layer in
            TappedTrack(
                kind: track.kind, codec: track.codec.kind, clockRate: track.codec.clockRate,
                channels: track.codec.channels, ssrc: track.layers[min(layer, track.layers.count - 1)].meshSSRC)
        }
        let slotSize = carried.tracks.first?.layers.first?.history.slotSize ?? 1500
        // Monotonic → NTP-scale nanoseconds, taken once: arrival times only anchor a track
        // until its first sender report (TrackClock), so drift of the two clocks is harmless.
        let ntp = clock.ntpNow()
        let wall = Int64(ntp >> 32) * 1_000_000_000 + Int64(((ntp & 0xFFFF_FFFF) * 1_000_000_000) >> 32)
        let tap = StreamTap(
            stream: stream, tracks: described, capacity: capacity, slotSize: slotSize,
            wallOffset: wall - Int64(clock.now()))
        let (live, tracks) = (carried.stream, carried.tracks)
        do {
            try await media.loop.run { media.taps.attach(tap, stream: live, tracks: tracks, layers: layers) }
        } catch {
            throw .unavailable("the worker is not running")
        }
        registry.tapAdded(stream)
        logger.info("tapping '\(stream)'", metadata: ["tracks": "\(described.count)"])
        return tap
    }

    /// Stops feeding `tap`; what is in its ring can still be drained.
    public func removeTap(_ tap: StreamTap) async {
        for media in workers { _ = try? await media.loop.run { media.taps.detach(tap) } }
        registry.tapRemoved(tap.stream)
        tap.end()
    }
}
