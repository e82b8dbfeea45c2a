/// A token's `stream` claim as a scope: a stream name, `*` alone for every stream, or a name
/// with `*` wildcards (`studio-*`, `*-backup`, `event-*-cam*`), each matching any run of
/// characters, the empty run included. No other character is special: stream names are
/// RFC 3986 unreserved characters, which never include `*`. The syntax is the topology's
/// `StreamPattern` (MeshCluster), which this layer sits below and cannot import.
extension StreamToken {
    /// Whether the token's `stream` claim matches all of `name`.
    public func covers(stream name: String) -> Bool {
        if stream == Self.anyStream { return true }
        guard stream.utf8.contains(UInt8(ascii: "*")) else { return stream == name }
        return Self.matches(Array(stream.utf8)[...], Array(name.utf8)[...])
    }

    /// Iterative wildcard matching with one backtrack point: linear in practice, never
    /// exponential, so a hostile claim like `*a*a*a*a*b` costs at most pattern × stream steps.
    private static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var star: Int?
        var resume = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = t
            } else if p < pattern.endIndex && pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
