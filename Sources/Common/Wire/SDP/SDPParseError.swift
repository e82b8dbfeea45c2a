/// Why a session description or trickle-ICE fragment could not be parsed, and where.
///
/// SDP is line-oriented (RFC 8866 §5), so the position is the 1-based line number of the
/// offending line; `reason` says what is wrong and names the rule it breaks.
public struct SDPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number of the line that broke the grammar (the last line + 1 when
    /// something required is missing at the end).
    public let line: Int
    /// What is wrong, naming the RFC rule broken.
    public let reason: String

    /// An error at `line` for `reason`.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}

/// A malformed attribute or field value; the line parser adds the line number.
struct SDPValueError: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    func at(line: Int) -> SDPParseError {
        SDPParseError(line: line, reason: reason)
    }
}
