/// Conversions between monotonic nanoseconds and RTP media clock units.
enum MediaClock {
    /// `nanoseconds` in units of a `clockRate` Hz clock, wrapping to 32 bits as RTP timestamps do.
    static func ticks(_ nanoseconds: UInt64, clockRate: UInt32) -> UInt32 {
        let product = UInt64(clockRate).multipliedFullWidth(by: nanoseconds)
        // The quotient fits 64 bits for any clock below 2^32 Hz and times below ~584 years.
        guard product.high < 1_000_000_000 else { return 0 }
        let (quotient, _) = UInt64(1_000_000_000).dividingFullWidth(product)
        return UInt32(truncatingIfNeeded: quotient)
    }
}
