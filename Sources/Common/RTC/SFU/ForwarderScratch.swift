/// Scratch space for ``ViewerTrackForwarder``s: where a packet is loaded from a history and
/// where a retransmission is built before its RTX wrapping. A forwarder uses it only within
/// one call, so every forwarder of a worker (its thread runs one call at a time) can share
/// one: 3 KB per worker instead of 3 KB per forwarder, two forwarders per viewer.
public final class ForwarderScratch {
    /// Bytes beyond a history slot's packet size: the rewritten header may grow (mid,
    /// abs-send-time and abs-capture-time elements added).
    public static let headroom = 64

    /// Where a packet is loaded from a history.
    let packet: UnsafeMutableRawBufferPointer
    /// Where a retransmission is written before its RTX wrapping.
    let retransmission: UnsafeMutableRawBufferPointer

    /// Two buffers of `size` bytes each (room for a 1500-byte history slot by default).
    public init(size: Int = 1500 + ForwarderScratch.headroom) {
        packet = .allocate(byteCount: size, alignment: 16)
        retransmission = .allocate(byteCount: size, alignment: 16)
    }

    deinit {
        packet.deallocate()
        retransmission.deallocate()
    }
}

@available(*, unavailable, message: "a forwarder scratch belongs to one worker's thread")
extension ForwarderScratch: Sendable {}
