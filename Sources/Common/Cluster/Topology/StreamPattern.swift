/// A stream-name pattern: stream-name characters (`A-Z a-z 0-9 . _ ~ -`) where `*` matches
/// any run of characters, possibly empty (`event-*`, `*-hd`, `*`).
public struct StreamPattern: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String

    /// Creates a pattern; returns `nil` unless the text is 1-128 pattern characters.
    public init?(_ text: String) {
        guard (1...128).contains(text.utf8.count), text.utf8.allSatisfy(Self.isPatternByte) else { return nil }
        self.text = text
    }

    /// Whether the stream name matches the whole pattern.
    public func matches(_ stream: String) -> Bool {
        Self.match(Array(text.utf8)[...], Array(stream.utf8)[...])
    }

    /// The pattern as written.
    public var description: String { text }

    /// Glob matching with one wildcard; iterative backtracking keeps it linear in practice.
    private static func match(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var star: (pattern: Int, name: Int)?
        while n < name.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = (p, n)
                p += 1
            } else if p < pattern.endIndex, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if let earlier = star {
                // Let the last `*` swallow one more character and retry from there.
                star = (earlier.pattern, earlier.name + 1)
                p = earlier.pattern + 1
                n = earlier.name + 1
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    private static func isPatternByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
            UInt8(ascii: "-"), UInt8(ascii: "*"):
            true
        default: false
        }
    }

    /// Decodes the text and checks it like `init?(_:)`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let pattern = StreamPattern(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a stream pattern"))
        }
        self = pattern
    }

    /// Encodes the pattern as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
