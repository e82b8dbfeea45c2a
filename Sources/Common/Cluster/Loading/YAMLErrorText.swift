import Yams

/// Turns a Yams error into one line and the mark it points at; Yams' own description spans
/// several lines and repeats the position, which a compiler-style diagnostic already carries.
public enum YAMLErrorText {
    /// A line and column, from 1.
    public typealias Position = (line: Int, column: Int)

    /// The one-line message and, when known, the line and column it points at.
    public static func describe(_ error: YamlError, in text: String) -> (message: String, position: Position?) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return ("YAML syntax error: \(problem)\(contextSuffix(context))", (mark.line, mark.column))
        case .reader(let problem, let offset, _, _):
            return ("YAML cannot be read: \(problem)", offset.map { position(atCharacterOffset: $0, in: text) })
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ("duplicate key \(keys) in one mapping", (context.mark.line, context.mark.column))
        default:
            return ("YAML error: \(error)", nil)
        }
    }

    /// `(while scanning a simple key at line 3)`, or nothing when libyaml gave no context.
    private static func contextSuffix(_ context: YamlError.Context?) -> String {
        guard let context else { return "" }
        return " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
    }

    /// The line and column of a character offset, for reader errors that only carry an offset.
    private static func position(atCharacterOffset offset: Int, in text: String) -> Position {
        var line = 1
        var column = 1
        for (index, character) in text.enumerated() {
            if index == offset { break }
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
