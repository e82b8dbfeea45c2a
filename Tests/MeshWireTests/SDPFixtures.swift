import Foundation
import MeshWire

/// Reads the captured offers in Tests/Fixtures/sdp (see scripts/fixtures for how each was made).
enum SDPFixtures {
    static let names = [
        "aiortc-sendrecv", "aiortc-sendonly", "chromium-audio-video", "chromium-simulcast",
    ]

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/sdp/\(name).sdp")
        return Array(try Data(contentsOf: url))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static func description(_ name: String) throws -> SessionDescription {
        try SessionDescription(parsing: try bytes(name))
    }

    /// The raw value of the first `a=<name>:` line in the fixture, read without the parser.
    static func rawAttribute(_ name: String, in fixture: String) throws -> String? {
        let prefix = "a=\(name):"
        return try text(fixture).split(separator: "\r\n").first { $0.hasPrefix(prefix) }
            .map { String($0.dropFirst(prefix.count)) }
    }
}
