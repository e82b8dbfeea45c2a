import MeshCluster
import Testing

/// `StreamPattern`: stream-name characters with `*` for any run, matched against whole names.
@Suite struct TopologyStreamPatternTests {
    @Test(arguments: [
        ("event-*", "event-1", true), ("event-*", "event-", true), ("event-*", "events", false),
        ("*-hd", "town-hall-hd", true), ("*-hd", "town-hall-sd", false), ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false), ("*", "anything", true), ("exact", "exact", true), ("exact", "exact2", false),
        ("**x", "x", true), ("a*a", "a", false),
    ])
    func matchesWholeNames(pattern: String, stream: String, expected: Bool) throws {
        let compiled = try #require(StreamPattern(pattern))
        #expect(compiled.matches(stream) == expected)
    }

    @Test func refusesCharactersStreamNamesCannotHave() {
        #expect(StreamPattern("a/b") == nil)
        #expect(StreamPattern("") == nil)
        #expect(StreamPattern("spa ce") == nil)
        #expect(StreamPattern(String(repeating: "a", count: 129)) == nil)
        #expect(StreamPattern(String(repeating: "a", count: 128)) != nil)
    }
}
