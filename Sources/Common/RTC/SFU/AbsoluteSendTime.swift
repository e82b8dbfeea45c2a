/// The abs-send-time header extension value
/// (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): send time in seconds as
/// 6.18 fixed point, 24 bits, wrapping every 64 s. Only differences matter to the receiver's
/// bandwidth estimator, so the monotonic clock serves.
public enum AbsoluteSendTime {
    /// The 24-bit value for `now` (monotonic nanoseconds).
    public static func value(now: UInt64) -> UInt32 {
        let seconds = now / 1_000_000_000
        let fraction = ((now % 1_000_000_000) << 18) / 1_000_000_000
        return UInt32(truncatingIfNeeded: (seconds << 18) | fraction) & 0xFF_FFFF
    }
}
