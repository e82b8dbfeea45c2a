/// What ``PacketHistory/load(sequence:into:)`` copied out: the packet's length in the
/// caller's buffer and the facts recorded with it.
public struct StoredPacket: Sendable, Equatable {
    /// Bytes copied into the caller's buffer.
    public var length: Int
    /// The extended sequence number (RFC 3550 §A.1) the writer gave the packet.
    public var extendedSequence: Int64
    /// When it arrived (monotonic nanoseconds).
    public var arrival: UInt64
    /// It starts a key frame: a simulcast switch or a new viewer may begin here.
    public var isKeyframeStart: Bool
    /// Its RTP marker bit (end of frame for video).
    public var marker: Bool

    /// A record with the given fields.
    public init(length: Int, extendedSequence: Int64, arrival: UInt64, isKeyframeStart: Bool, marker: Bool) {
        self.length = length
        self.extendedSequence = extendedSequence
        self.arrival = arrival
        self.isKeyframeStart = isKeyframeStart
        self.marker = marker
    }
}
