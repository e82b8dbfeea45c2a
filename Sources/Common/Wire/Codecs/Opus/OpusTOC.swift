/// The Opus table-of-contents byte that starts every Opus packet (RFC 6716 §3.1).
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// | config  |s| c |
/// +-+-+-+-+-+-+-+-+
/// ```
public struct OpusTOC: Equatable, Sendable {
    /// The coding mode a configuration selects (RFC 6716 §3.1, Table 2).
    public enum Mode: Equatable, Sendable {
        /// SILK-only: speech, configurations 0–11.
        case silk
        /// SILK and CELT together, configurations 12–15.
        case hybrid
        /// CELT-only: music and low delay, configurations 16–31.
        case celt
    }

    /// The audio bandwidth a configuration selects (RFC 6716 §2, Table 1).
    public enum Bandwidth: Equatable, Sendable {
        /// 4 kHz audio bandwidth, 8 kHz effective sample rate.
        case narrowband
        /// 6 kHz, 12 kHz effective sample rate.
        case mediumband
        /// 8 kHz, 16 kHz effective sample rate.
        case wideband
        /// 12 kHz, 24 kHz effective sample rate.
        case superWideband
        /// 20 kHz, 48 kHz effective sample rate.
        case fullband
    }

    /// The raw TOC byte.
    public let rawValue: UInt8

    /// Wraps a TOC byte; every value is a valid TOC.
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    /// config: the mode, bandwidth and frame duration (0–31).
    public var configuration: UInt8 { rawValue >> 3 }
    /// s: whether the frames are stereo.
    public var isStereo: Bool { rawValue & 0x04 != 0 }
    /// c: the frame count code (0: one frame, 1: two equal frames, 2: two frames, 3: M frames).
    public var frameCountCode: UInt8 { rawValue & 0x03 }

    /// The coding mode.
    public var mode: Mode {
        switch configuration {
        case 0...11: .silk
        case 12...15: .hybrid
        default: .celt
        }
    }

    /// The audio bandwidth.
    public var bandwidth: Bandwidth {
        switch configuration {
        case 0...3, 16...19: .narrowband
        case 4...7: .mediumband
        case 8...11, 20...23: .wideband
        case 12...13, 24...27: .superWideband
        default: .fullband
        }
    }

    /// The duration of one frame in 48 kHz samples: 120 (2.5 ms), 240, 480, 960, 1920 or 2880 (60 ms).
    public var frameSamples: Int {
        let index = Int(configuration & 0x03)
        switch configuration {
        // SILK: 10, 20, 40, 60 ms (a switch, not an array literal: no allocation per packet).
        case 0...11:
            switch index {
            case 0: return 480
            case 1: return 960
            case 2: return 1920
            default: return 2880
            }
        case 12...15: return index & 1 == 0 ? 480 : 960
        // CELT: 2.5, 5, 10, 20 ms.
        default: return 120 << index
        }
    }
}
