import Yams

extension DiagnosticLog {
    /// The document's root node, or `nil` after logging why there is none (a syntax error at
    /// its line and column, or `emptyMessage` when the text holds no document).
    public func parseDocument(_ text: String, emptyMessage: String) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: text) else {
                error(emptyMessage, at: SourceLocation(file: file, line: 1, column: 1))
                return nil
            }
            return root
        } catch let yamlError as YamlError {
            let (message, position) = YAMLErrorText.describe(yamlError, in: text)
            let location = SourceLocation(file: file, line: position?.line ?? 1, column: position?.column ?? 1)
            error(message, at: location)
            return nil
        } catch let otherError {
            error("YAML error: \(otherError)", at: SourceLocation(file: file, line: 1, column: 1))
            return nil
        }
    }
}
