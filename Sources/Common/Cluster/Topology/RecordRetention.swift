/// How long the recordings a `policies.record` pattern starts are kept after they end:
/// `record: [{match: "event-*", retention: 7d}]`. A recorder's sweeper deletes the files of
/// its recordings older than that and marks their catalog rows expired; a recording still
/// being written is never touched.
public struct RecordRetention: Sendable, Equatable, Codable {
    /// The record pattern the retention belongs to.
    public var pattern: StreamPattern
    /// How long, in seconds, a recording is kept after it stopped or failed.
    public var seconds: Int

    /// Creates a retention rule.
    public init(pattern: StreamPattern, seconds: Int) {
        self.pattern = pattern
        self.seconds = seconds
    }

    /// The longest retention accepted: ten years. Anything longer is "forever", which is what
    /// leaving `retention` out means.
    public static let maximumSeconds = 3650 * 86_400

    /// Seconds per unit letter of a written retention.
    private static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// Parses a retention as written: a whole number and one unit, `s`, `m`, `h`, `d` or `w`
    /// (`30s`, `12h`, `7d`, `2w`); nil for anything else, zero, or more than ten years.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let scale = units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
            let count = Int(digits), count > 0
        else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, seconds <= maximumSeconds else { return nil }
        return seconds
    }

    /// A retention in the form it is written in (`7d`, `90m`): the largest unit that divides it.
    public static func text(_ seconds: Int) -> String {
        for (letter, scale) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] where seconds % scale == 0 {
            return "\(seconds / scale)\(letter)"
        }
        return "\(seconds)s"
    }
}
