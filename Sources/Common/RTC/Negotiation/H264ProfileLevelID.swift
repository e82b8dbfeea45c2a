/// The H.264 `profile-level-id` fmtp parameter: profile_idc, profile-iop (the constraint_set
/// flags) and level_idc, as six hex digits (RFC 6184 §8.1).
struct H264ProfileLevelID: Hashable {
    /// profile_idc: 0x42 Baseline, 0x4D Main, 0x58 Extended, 0x64 High, ...
    var profileIDC: UInt8
    /// constraint_set0_flag in the top bit, then set1, set2, ...
    var profileIOP: UInt8
    /// level_idc: level × 10 (0x1F is level 3.1).
    var levelIDC: UInt8

    /// RFC 6184 §8.1: without the parameter, the stream is Baseline at level 1 (`42000a`).
    static let absentDefault = H264ProfileLevelID(profileIDC: 0x42, profileIOP: 0x00, levelIDC: 0x0A)

    init(profileIDC: UInt8, profileIOP: UInt8, levelIDC: UInt8) {
        self.profileIDC = profileIDC
        self.profileIOP = profileIOP
        self.levelIDC = levelIDC
    }

    /// Parses six hex digits; nil for anything else.
    init?(_ text: String) {
        guard text.utf8.count == 6, text.allSatisfy(\.isHexDigit), let value = UInt32(text, radix: 16) else {
            return nil
        }
        profileIDC = UInt8(truncatingIfNeeded: value >> 16)
        profileIOP = UInt8(truncatingIfNeeded: value >> 8)
        levelIDC = UInt8(truncatingIfNeeded: value)
    }

    /// Whether a stream under this id is one a constrained-baseline decoder plays.
    ///
    /// Accepted (ITU-T H.264 §A.2.1.1 and libwebrtc's profile table):
    /// - `42xxxx`, Baseline with or without constraint_set1. With it (`42e01f`, `42c01f`) the
    ///   stream is Constrained Baseline. Without it (`42001f`) it is plain Baseline, which
    ///   Chromium and aiortc both offer next to `42e01f`; their encoders (OpenH264, and the
    ///   hardware encoders libwebrtc drives) write constrained-baseline bitstreams under either
    ///   id, so refusing `42001f` would only leave H.264 out for clients that list it first.
    /// - `4Dxxxx` with constraint_set0 (`4d8xxx`) and `58xxxx` with constraint_set0 and 1: these
    ///   flags say the stream obeys Baseline, i.e. Constrained Baseline.
    ///
    /// Refused: Main (`4d001f`), High (`640c1f`, `64001f`) and everything else, because a
    /// viewer that only decodes constrained baseline could not play what the publisher sends.
    var isConstrainedBaselineCompatible: Bool {
        switch profileIDC {
        case 0x42: true
        case 0x4D: profileIOP & 0x80 != 0
        case 0x58: profileIOP & 0xC0 == 0xC0
        default: false
        }
    }
}
