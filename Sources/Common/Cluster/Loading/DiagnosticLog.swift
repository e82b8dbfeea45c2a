import Yams

/// Collects diagnostics for one file while it is decoded and validated.
///
/// A reference type because every decoding step adds to the same list; it never leaves the
/// loader, which runs on one thread.
final class DiagnosticLog {
    /// The file path as the user gave it.
    let file: String
    /// Problems in the order they were found.
    private(set) var diagnostics: [TopologyDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    /// The location of a YAML node; libyaml always records one, the fallback is defensive.
    func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    /// The location of a libyaml mark.
    func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Records a problem at a location.
    func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(TopologyDiagnostic(location: location, message: message))
    }

    /// Records a problem at a YAML node.
    func error(_ message: String, at node: Node) {
        error(message, at: location(of: node))
    }

    /// Whether nothing has gone wrong so far.
    var isClean: Bool { diagnostics.isEmpty }

    /// The diagnostics sorted top to bottom; sorting is stable, so ties keep discovery order.
    var sortedDiagnostics: [TopologyDiagnostic] {
        diagnostics.enumerated()
            .sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
            .map(\.element)
    }
}
