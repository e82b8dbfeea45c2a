/// How often a node's threads went to sleep over a run's steady window. Each sleep is paid
/// again on the wake-up, at this machine's price (``WakeUpProbe``, the report's
/// `send_limit.wake_up_us`): the share of a node's CPU per packet that falls as its bursts
/// grow, and the reason a lightly loaded node costs more per packet than a busy one.
struct SleepFigures: Codable, Sendable, Equatable {
    /// Sleeps a second, all threads together.
    var perSecond: Double
    /// Sleeps per forwarded packet.
    var perForwardedPacket: Double

    /// CPU µs per forwarded packet those sleeps cost at `wakeUpUs` a sleep and wake-up.
    func usPerForwardedPacket(wakeUpUs: Double) -> Double { perForwardedPacket * wakeUpUs }
}

extension SleepFigures {
    /// The figures between two readings of a node's sleep count; `nil` when a reading has none,
    /// the window is empty, or the count fell (a thread that exited took its count with it).
    init?(from start: UInt64?, to end: UInt64?, seconds: Double, packets: Double) {
        guard let start, let end, end >= start, seconds > 0, packets > 0 else { return nil }
        let sleeps = Double(end - start)
        self.init(perSecond: sleeps / seconds, perForwardedPacket: sleeps / packets)
    }
}
