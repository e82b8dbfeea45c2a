/// A token bucket in bytes: one allocation's relayed bandwidth cap (issue 13, abuse limits).
/// Both directions draw from it; what does not fit is dropped, not queued, as a router would.
public struct TURNBandwidthBucket: Sendable {
    /// Sustained rate in bytes per second; 0 disables the cap.
    public let bytesPerSecond: Int64
    /// Most bytes that may pass in one burst.
    public let burstBytes: Int64
    private var tokens: Int64
    private var last: TURNInstant

    /// A full bucket at `now`.
    public init(bytesPerSecond: Int64, burstBytes: Int64, now: TURNInstant) {
        self.bytesPerSecond = bytesPerSecond
        self.burstBytes = burstBytes
        self.tokens = burstBytes
        self.last = now
    }

    /// Takes `bytes` if the bucket holds them at `now`; `false` means drop the packet.
    public mutating func take(_ bytes: Int, now: TURNInstant) -> Bool {
        guard bytesPerSecond > 0 else { return true }
        let elapsed = max(0, now.milliseconds &- last.milliseconds)
        if elapsed > 0 {
            tokens = min(burstBytes, tokens &+ elapsed &* bytesPerSecond / 1000)
            last = now
        }
        guard tokens >= Int64(bytes) else { return false }
        tokens -= Int64(bytes)
        return true
    }
}
