/// Fills holes in a recorded Opus track with silence, so the track stays continuous across
/// loss the link could not repair, a publisher's DTX pauses (RFC 7587 §3.1.3: no packets, the
/// RTP timestamps jump) and a publisher that stops sending for a while. Players that clock
/// playback by audio (most) otherwise pull the picture forward over a hole, and a file whose
/// audio has holes drifts out of sync when it is cut or concatenated.
///
/// Each hole of at least one whole frame gets 20 ms silence frames from where the last frame
/// ended up to where the next one starts; a hole longer than ``maximumFill`` is left open (the
/// publisher restarted its timestamps, or was away for long: the catalogue's gap says so).
public struct OpusGapFiller: Sendable {
    /// One 20 ms Opus frame that decodes to silence (RFC 6716 §3.1: TOC 0xF8 is configuration
    /// 31, CELT-only fullband 20 ms, mono, one frame; 0xFF 0xFE is a CELT frame of zero energy;
    /// janus-pp-rec fills its Opus gaps with the same three bytes). Mono decodes into any
    /// channel count (RFC 7845 §5.1.1).
    public static let silenceFrame: [UInt8] = [0xF8, 0xFF, 0xFE]
    /// The silence frame's length: 20 ms.
    public static let frameNanoseconds: Int64 = 20_000_000
    /// The longest hole filled: 10 s.
    public static let maximumFill: Int64 = 10_000_000_000
    /// A hole shorter than a frame by this much still takes one (timestamps rounded to ms).
    static let tolerance: Int64 = 2_000_000

    /// Where the last frame ended (wall ns); nil before the first.
    public private(set) var expectedNext: Int64?

    /// A filler for one track.
    public init() {}

    /// Takes the next real frame, which starts at `wall` (ns) and carries `samples` at 48 kHz,
    /// after calling `fill` with the start of each silence frame that goes before it. Returns
    /// how many it filled.
    @discardableResult
    public mutating func frame(at wall: Int64, samples: Int, fill: (Int64) -> Void) -> Int {
        var filled = 0
        if let next = expectedNext {
            let hole = wall - next
            if hole >= Self.frameNanoseconds - Self.tolerance && hole <= Self.maximumFill {
                var at = next
                while wall - at >= Self.frameNanoseconds - Self.tolerance {
                    fill(at)
                    at += Self.frameNanoseconds
                    filled += 1
                }
            }
        }
        let length = Int64(max(samples, 0)) * 1_000_000_000 / 48_000
        expectedNext = max(expectedNext ?? .min, wall + length)
        return filled
    }
}
