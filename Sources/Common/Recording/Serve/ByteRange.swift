/// A single `Range: bytes=…` request (RFC 9110 §14.1.2) resolved against a file's length, for
/// serving segment files. Several ranges in one header are answered with the whole file
/// (allowed: a server may ignore Range), so no multipart body is ever built. The header is a
/// client's text: anything malformed resolves to `.whole`, never a trap (`Fuzz/FuzzByteRange`).
public enum ByteRange: Equatable, Sendable {
    /// No usable Range header (absent, not `bytes`, several ranges): send everything.
    case whole
    /// Send `range` (206).
    case part(Range<Int>)
    /// Nothing of the file satisfies it (416).
    case unsatisfiable

    /// Resolves `header` for a file of `length` bytes.
    public init(header: String?, length: Int) {
        guard let header, header.hasPrefix("bytes="), header.count < 200 else {
            self = .whole
            return
        }
        let spec = Substring(header.dropFirst("bytes=".count).filter { $0 != " " })
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            // bytes=-N: the last N bytes.
            guard let suffix = Int(last), suffix > 0 else {
                self = last.isEmpty ? .whole : .unsatisfiable
                return
            }
            self = length == 0 ? .unsatisfiable : .part(max(length - suffix, 0)..<length)
            return
        }
        guard let start = Int(first), start >= 0 else {
            self = .whole
            return
        }
        guard start < length else {
            self = .unsatisfiable
            return
        }
        if last.isEmpty {
            self = .part(start..<length)
        } else if let end = Int(last), end >= start {
            // Clipped before the + 1: a last position of Int.max is a client's text, not a trap.
            self = .part(start..<min(end, length - 1) + 1)
        } else {
            self = .whole
        }
    }
}
