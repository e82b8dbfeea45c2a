/// Merges the key frame requests (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) that many viewers
/// of one track send, so that the publisher gets a few rather than one per viewer.
///
/// The first request goes upstream at once. Further requests within `interval` of the last one
/// sent are held, and one held request goes when the interval ends (``poll(now:)``). A key
/// frame arriving clears held requests, and requests that come within `keyframeGrace` after one
/// are dropped: those viewers asked before the key frame reached them.
public struct KeyframeRequestGate: Sendable {
    /// Least time (ns) between two requests sent upstream.
    public let interval: UInt64
    /// How long (ns) after a key frame arrives requests are ignored.
    public let keyframeGrace: UInt64
    private var lastSent: UInt64?
    private var lastKeyframe: UInt64?
    /// A request is held for the end of the interval.
    public private(set) var isPending = false
    /// The FIR command sequence number (RFC 5104 §4.3.1.1) of the last request sent; it
    /// advances by one with each request sent.
    public private(set) var firSequenceNumber: UInt8 = 0
    /// Requests sent upstream.
    public private(set) var sentCount = 0

    /// A gate sending at most one request per `interval` (default 500 ms), ignoring requests for
    /// `keyframeGrace` (default 200 ms) after a key frame.
    public init(interval: UInt64 = 500_000_000, keyframeGrace: UInt64 = 200_000_000) {
        self.interval = interval
        self.keyframeGrace = keyframeGrace
    }

    /// A viewer asked for a key frame at `now`; `true` means send a request upstream now.
    public mutating func request(now: UInt64) -> Bool {
        if let lastKeyframe, now &- lastKeyframe < keyframeGrace { return false }
        if let lastSent, now &- lastSent < interval {
            isPending = true
            return false
        }
        send(now: now)
        return true
    }

    /// `true` when a held request is due at `now` (call from a timer or per packet).
    public mutating func poll(now: UInt64) -> Bool {
        guard isPending, let lastSent, now &- lastSent >= interval else { return false }
        send(now: now)
        return true
    }

    /// A key frame started arriving from the publisher at `now`.
    public mutating func keyframeArrived(now: UInt64) {
        lastKeyframe = now
        isPending = false
    }

    private mutating func send(now: UInt64) {
        lastSent = now
        isPending = false
        firSequenceNumber &+= 1
        sentCount += 1
    }
}
