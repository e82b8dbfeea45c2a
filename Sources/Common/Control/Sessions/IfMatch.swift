/// An `If-Match` precondition (RFC 9110 §13.1.1) against a session's strong ETag.
enum IfMatch: Equatable {
    /// `If-Match: *`: any current representation.
    case any
    /// A list of entity tags, kept as written (`"abc"`, `W/"abc"`).
    case tags([String])

    /// Parses the field; `nil` when it is absent.
    init?(_ field: String?) {
        guard let field else { return nil }
        let trimmed = field.trimmingWhitespace()
        if trimmed == "*" {
            self = .any
        } else {
            self = .tags(trimmed.split(separator: ",").map { String($0.trimmingWhitespace()) })
        }
    }

    /// Whether the precondition holds for the session whose ETag is `"\(tag)"`. If-Match uses the
    /// strong comparison, so a weak tag never matches (RFC 9110 §8.8.3.2).
    func matches(tag: String) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains(ETag.strong(tag))
        }
    }
}

/// The strong entity tag of a session (RFC 9725 §4.3.1: the ETag identifies its ICE session).
enum ETag {
    /// `"<tag>"`.
    static func strong(_ tag: String) -> String { "\"\(tag)\"" }
}
