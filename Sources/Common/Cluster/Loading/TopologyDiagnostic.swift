/// A place in a topology file: the file as the user named it, a line and a column (from 1).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file path as given on the command line, so messages point where the user looks.
    public var file: String
    /// The line, starting from 1.
    public var line: Int
    /// The column, starting from 1, counted in Unicode scalars as libyaml does.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// Orders locations by line, then column, so diagnostics read top to bottom.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `file:line:column`, the prefix compilers use and editors jump to.
    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a topology file.
public struct TopologyDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong, in one line, naming the offending value.
    public var message: String

    /// Creates a diagnostic.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// The problem in compiler style: `topology/local.yaml:12:5: error: unknown region ...`.
    public var description: String { "\(location): error: \(message)" }
}

/// Thrown when a topology file cannot be used; holds every problem found, in file order.
public struct TopologyLoadFailure: Error, Sendable, CustomStringConvertible {
    /// Every problem found, sorted by line and column; never empty.
    public var diagnostics: [TopologyDiagnostic]

    /// Creates a failure from its diagnostics.
    public init(diagnostics: [TopologyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic per line.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
