/// The targets a `Package.swift` declares, read from its text (no SwiftPM at test time): each
/// `.target(`, `.testTarget(`, `.executableTarget(`, `.systemLibrary(`, … call that starts with
/// `name:`, and the `path:` that follows it in the same call.
struct PackageTargetList {
    /// One declared target.
    struct Target: Equatable, CustomStringConvertible {
        /// The target's name; nil where a helper or a loop passes it in (`name: name`).
        let name: String?
        /// The folder, as written; a path made in a helper or a loop (`"Fuzz/\(name)"`) is cut
        /// at its first interpolation to the folder all its targets share (`Fuzz`).
        let path: String

        var description: String {
            name.map { "\($0) (\(path))" } ?? "the targets a helper or a loop makes in \(path)/"
        }

        /// Whether `folder` is this target's folder or one above it.
        func isInside(_ folder: String) -> Bool {
            path == folder || path.hasPrefix(folder + "/")
        }
    }

    let targets: [Target]

    init(manifest: String) {
        let declaration =
            #/
            \.(target|testTarget|executableTarget|systemLibrary|binaryTarget|plugin|macro)
            \( \s* name: \s* (?: "([^"]*)" | (\w+) )
            /#
        let pathArgument = #/path:\s*"([^"]*)"/#
        let calls = manifest.matches(of: declaration)
        targets = calls.enumerated().map { index, call in
            let kind = String(call.output.1)
            let name = call.output.2.map(String.init)
            let end = index + 1 < calls.count ? calls[index + 1].range.lowerBound : manifest.endIndex
            let written = manifest[call.range.upperBound..<end].firstMatch(of: pathArgument).map { String($0.output.1) }
            // SwiftPM's default folders when no path is given.
            let path = written ?? (kind == "testTarget" ? "Tests/\(name ?? "")" : "Sources/\(name ?? "")")
            return Target(name: name, path: Self.folder(path))
        }
    }

    /// `path` up to its first interpolation, without a trailing slash.
    private static func folder(_ path: String) -> String {
        var literal = path.firstRange(of: "\\(").map { String(path[..<$0.lowerBound]) } ?? path
        while literal.hasSuffix("/") { literal.removeLast() }
        return literal
    }
}
