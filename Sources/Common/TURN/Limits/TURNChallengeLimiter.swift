import MeshWire

/// Caps the 401 challenges one source IP gets per second, so that unauthenticated requests
/// (spoofable over UDP) cannot turn the server into a reflector.
///
/// The table is cleared at every new one-second window and holds at most `maxSources`
/// addresses, so its memory is bounded whatever arrives; when it is full, sources not yet in it
/// get no challenge until the window turns. This is the only state kept for an unauthenticated
/// client.
public struct TURNChallengeLimiter: Sendable {
    /// Challenges one IP may get per one-second window.
    public let perSourcePerSecond: Int
    /// Most source IPs tracked in one window.
    public let maxSources: Int
    private var window: Int64 = .min
    private var counts: [STUNIPAddress: Int] = [:]

    /// A limiter allowing `perSourcePerSecond` challenges per IP, tracking up to `maxSources` IPs.
    public init(perSourcePerSecond: Int = 10, maxSources: Int = 4096) {
        self.perSourcePerSecond = perSourcePerSecond
        self.maxSources = maxSources
    }

    /// Whether `source` may be sent another challenge at `now`; counts it when so.
    public mutating func allow(_ source: STUNIPAddress, now: TURNInstant) -> Bool {
        let current = now.seconds
        if current != window {
            window = current
            counts.removeAll(keepingCapacity: true)
        }
        let used = counts[source] ?? 0
        guard used < perSourcePerSecond, used > 0 || counts.count < maxSources else { return false }
        counts[source] = used + 1
        return true
    }
}
