/// Something on a worker that takes a published track's packets from the worker's
/// ``TrackRouter``: a viewer's media section (``ViewerTrack``), a link forwarding the track to
/// the next node (``LinkConsumer``); later a recorder sink or a TURN-relayed viewer. The router
/// knows nothing else about them.
///
/// The packet is in the layer's ``PacketHistory`` (the producer stored it before routing); the
/// consumer loads or rewrites it from there into the worker's send batch. Worker thread only.
protocol TrackConsumer: AnyObject {
    /// Sends packet `sequence` of `layer` of `track` (batched in the router's output, which the
    /// router flushes); a consumer whose wanted layers change tells `router` (``TrackRouter/want(_:by:of:)``).
    func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter)

    /// Link consumers go before viewers, so the next hop gets each packet as early as possible.
    var isLink: Bool { get }
}
