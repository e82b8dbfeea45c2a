import Yams

/// Collects diagnostics for one file while it is decoded and validated.
///
/// A reference type because every decoding step adds to the same list; it never leaves the
/// loader, which runs on one thread. Public so other YAML files of the project (meshbench
/// scenarios) report problems the same way topology files do.
public final class DiagnosticLog {
    /// The file path as the user gave it.
    public let file: String
    /// Problems in the order they were found.
    public private(set) var diagnostics: [TopologyDiagnostic] = []

    /// Creates an empty log for `file`.
    public init(file: String) {
        self.file = file
    }

    /// The location of a YAML node; libyaml always records one, the fallback is defensive.
    public func location(of node: Node) -> SourceLocation {
        location(of: node.mark)
    }

    /// The location of a libyaml mark.
    public func location(of mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Records a problem at a location.
    public func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(TopologyDiagnostic(location: location, message: message))
    }

    /// Records a problem at a YAML node.
    public func error(_ message: String, at node: Node) {
        error(message, at: location(of: node))
    }

    /// Whether nothing has gone wrong so far.
    public var isClean: Bool { diagnostics.isEmpty }

    /// The diagnostics sorted top to bottom; sorting is stable, so ties keep discovery order.
    public var sortedDiagnostics: [TopologyDiagnostic] {
        diagnostics.enumerated()
            .sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
            .map(\.element)
    }
}
