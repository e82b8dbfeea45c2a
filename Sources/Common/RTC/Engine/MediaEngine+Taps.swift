/// Which simulcast layers a ``StreamTap`` delivers.
public enum TapLayers: String, Sendable {
    /// Each track's best live layer, moving at key frames.
    case top
    /// Every layer of every video track, each as a tapped track of its own.
    case all
}

/// Taps: a stream's packets for a consumer that is not a network peer (a recorder).
extension MediaEngine {
    /// Taps `stream`, which this node must carry (received over a relay link, or published
    /// here), until ``removeTap(_:)``: with `.top` each track's best layer, the top of its
    /// ranking now and then the best live one, moving at key frames (``TapBreak/layerSwitch``);
    /// with `.all` every layer of every video track as a track of its own, the highest ranked
    /// first. Packets come in sequence order through the returned ``StreamTap``. While tapped,
    /// the stream counts as used (``CarriedStreamSnapshot/taps``), so it is not unsubscribed as
    /// idle. `capacity` is the ring's size in packets.
    public func addTap(stream: String, layers: TapLayers = .top, capacity: Int = 2048) async throws(LinkError)
        -> StreamTap
    {
        guard let carried = registry.carried(stream) else { throw .unknownStream(stream) }
        guard let media = workers.first else { throw .unavailable("the engine has no worker") }
        var described: [TappedTrack] = []
        var positions: [Int] = []
        for (position, track) in carried.tracks.enumerated() {
            let order = track.layerOrder
            let top = min(order.layer(atRank: max(order.count - 1, 0)), track.layers.count - 1)
            let rids = track.layers.map(\.rid)
            func tapped(_ layer: Int, follows: Bool) -> TappedTrack {
                TappedTrack(
                    kind: track.kind, codec: track.codec.kind, clockRate: track.codec.clockRate,
                    channels: track.codec.channels, ssrc: track.layers[layer].meshSSRC, layer: layer, rids: rids,
                    followsTop: follows)
            }
            if layers == .all, track.kind == .video, track.layers.count > 1 {
                // Highest first: a player shows a file's first video track.
                for rank in stride(from: order.count - 1, through: 0, by: -1)
                where track.layers.indices.contains(order.layer(atRank: rank)) {
                    described.append(tapped(order.layer(atRank: rank), follows: false))
                    positions.append(position)
                }
            } else {
                described.append(tapped(top, follows: track.kind == .video && track.layers.count > 1))
                positions.append(position)
            }
        }
        let slotSize = carried.tracks.first?.layers.first?.history.slotSize ?? 1500
        // Monotonic → NTP-scale nanoseconds, taken once: arrival times only anchor a track
        // until its first sender report (TrackClock), so drift of the two clocks is harmless.
        let ntp = clock.ntpNow()
        let wall = Int64(ntp >> 32) * 1_000_000_000 + Int64(((ntp & 0xFFFF_FFFF) * 1_000_000_000) >> 32)
        let tap = StreamTap(
            stream: stream, tracks: described, capacity: capacity, slotSize: slotSize,
            wallOffset: wall - Int64(clock.now()))
        let (live, tracks, placed) = (carried.stream, carried.tracks, positions)
        do {
            try await media.loop.run { media.taps.attach(tap, stream: live, tracks: tracks, positions: placed) }
        } catch {
            throw .unavailable("the worker is not running")
        }
        registry.tapAdded(stream)
        logger.info("tapping '\(stream)'", metadata: ["tracks": "\(described.count)", "layers": "\(layers)"])
        return tap
    }

    /// Stops feeding `tap`; what is in its ring can still be drained.
    public func removeTap(_ tap: StreamTap) async {
        for media in workers { _ = try? await media.loop.run { media.taps.detach(tap) } }
        registry.tapRemoved(tap.stream)
        tap.end()
    }
}
