import Testing

@testable import MeshWire

/// Round trips over the captured offers: parse, serialize, parse again, compare.
@Suite struct SDPRoundTripTests {
    @Test(arguments: SDPFixtures.names)
    func fixtureRoundTrips(name: String) throws {
        let original = try SDPFixtures.description(name)
        let text = original.serialized
        let reparsed = try SessionDescription(parsing: text)
        #expect(reparsed == original)
        // Serializing is stable: the second pass writes the same text as the first.
        #expect(reparsed.serialized == text)
    }

    @Test(arguments: SDPFixtures.names)
    func fixtureKeepsEveryLine(name: String) throws {
        // Nothing is dropped: the output has as many lines as the capture, all CRLF-terminated.
        let raw = try SDPFixtures.text(name)
        let serialized = try SDPFixtures.description(name).serialized
        #expect(serialized.hasSuffix("\r\n"))
        #expect(serialized.split(separator: "\r\n").count == raw.split(separator: "\r\n").count)
    }

    @Test(arguments: SDPFixtures.names)
    func fixtureParsesWithBareLineFeeds(name: String) throws {
        // RFC 8866 §5: parsers should also accept lines ended by LF alone.
        let lineFeedOnly = try SDPFixtures.text(name).replacingOccurrences(of: "\r\n", with: "\n")
        #expect(try SessionDescription(parsing: lineFeedOnly) == SDPFixtures.description(name))
    }

    @Test(arguments: SDPFixtures.names)
    func truncatedFixturesNeverTrap(name: String) throws {
        // Every prefix either fails with a line number inside the text or parses to a value
        // that round-trips: the property the libFuzzer target checks, over cut-off input.
        let bytes = try SDPFixtures.bytes(name)
        let lineCount = bytes.filter { $0 == 0x0A }.count
        for end in stride(from: 0, through: bytes.count, by: 7) {
            do {
                let parsed = try SessionDescription(parsing: bytes[..<end])
                #expect(try SessionDescription(parsing: parsed.serialized) == parsed)
            } catch {
                #expect((1...lineCount + 1).contains(error.line))
            }
        }
    }

    @Test(arguments: SDPFixtures.names)
    func corruptedFixturesNeverTrap(name: String) throws {
        // Overwrite one byte at a time with bytes that matter to the grammar.
        let bytes = try SDPFixtures.bytes(name)
        let replacements: [UInt8] = [0x20, 0x3A, 0x2F, 0x3D, 0x0A, 0x7E, 0x39, 0xFF, 0x00]
        var state: UInt32 = 0x1234_5678
        for _ in 0..<400 {
            state = state &* 1_664_525 &+ 1_013_904_223
            var mutated = bytes
            let position = Int(state >> 8) % mutated.count
            mutated[position] = replacements[Int(state & 0xFF) % replacements.count]
            do {
                let parsed = try SessionDescription(parsing: mutated)
                #expect(try SessionDescription(parsing: parsed.serialized) == parsed)
            } catch {
                #expect(error.line >= 1)
            }
        }
    }
}
