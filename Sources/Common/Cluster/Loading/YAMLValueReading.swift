import Yams

/// A decoded value together with where it was written, so later checks can point at it.
public struct Located<Value> {
    /// The decoded value.
    public var value: Value
    /// Where it was written.
    public var location: SourceLocation

    /// Creates a located value.
    public init(value: Value, location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// Reads scalars and collections out of YAML nodes, logging a typed error when a node has
/// the wrong shape; every reader returns `nil` after logging, so decoding continues.
public struct YAMLValueReading {
    /// Where wrong shapes are reported.
    public let log: DiagnosticLog

    /// Creates a reader that reports into `log`.
    public init(log: DiagnosticLog) {
        self.log = log
    }

    /// How a node reads in an error message: `a mapping`, `a list`, `'text'`, `nothing`.
    public static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            return isNull(scalar) ? "nothing" : "'\(scalar.string)'"
        }
    }

    /// Whether a scalar is YAML's null (`key:` with no value, `~`, `null`) written unquoted.
    public static func isNull(_ scalar: Node.Scalar) -> Bool {
        guard scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A non-empty text value; numbers and booleans are read as the text written.
    public func string(_ node: Node, _ what: String) -> Located<String>? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            log.error("expected text for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return Located(value: scalar.string, location: log.location(of: node))
    }

    /// A whole number written in decimal.
    public func integer(_ node: Node, _ what: String) -> Located<Int>? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            log.error("expected an integer for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return Located(value: value, location: log.location(of: node))
    }

    /// A decimal number, integer or not.
    public func number(_ node: Node, _ what: String) -> Located<Double>? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            log.error("expected a number for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return Located(value: value, location: log.location(of: node))
    }

    /// `true` or `false` (YAML 1.2's core schema; `yes`/`no` are text, as there).
    public func bool(_ node: Node, _ what: String) -> Located<Bool>? {
        guard case .scalar(let scalar) = node, let value = ["true": true, "false": false][scalar.string] else {
            log.error("expected true or false for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return Located(value: value, location: log.location(of: node))
    }

    /// The items of a list.
    public func list(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            log.error("expected a list for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// A single text value or a list of them, as `to: edge-a` or `to: [edge-a, edge-b]`.
    public func stringOrList(_ node: Node, _ what: String) -> [Located<String>]? {
        if case .sequence(let sequence) = node {
            return sequence.compactMap { string($0, what) }
        }
        return string(node, what).map { [$0] }
    }

    /// The fields of a mapping, after reporting unknown and missing keys.
    public func fields(
        _ node: Node,
        _ what: String,
        known: [String],
        required: [String] = []
    ) -> YAMLFields? {
        guard case .mapping(let mapping) = node else {
            log.error("expected a mapping for \(what), found \(Self.describe(node))", at: node)
            return nil
        }
        var values: [String: Node] = [:]
        // Known key -> the misspelt key that most likely meant it, for the missing-key message.
        var misspellings: [String: (key: String, line: Int)] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                log.error("expected a text key in \(what), found \(Self.describe(keyNode))", at: keyNode)
                continue
            }
            guard known.contains(key.string) else {
                if let suggestion = NearestName.suggestion(for: key.string, among: known) {
                    misspellings[suggestion] = (key.string, log.location(of: keyNode).line)
                    log.error("unknown key '\(key.string)' in \(what); did you mean '\(suggestion)'?", at: keyNode)
                } else {
                    log.error(
                        "unknown key '\(key.string)' in \(what) (known: \(known.joined(separator: ", ")))",
                        at: keyNode
                    )
                }
                continue
            }
            values[key.string] = valueNode
        }
        for key in required where values[key] == nil {
            let typo =
                misspellings[key].map { " ('\($0.key)' at line \($0.line) looks like a misspelling of it)" } ?? ""
            log.error("\(what) is missing required key '\(key)'\(typo)", at: node)
        }
        return YAMLFields(values: values, location: log.location(of: node))
    }
}

/// The known keys of one mapping, by name; unknown keys were already reported.
public struct YAMLFields {
    /// The known keys present, by name.
    public let values: [String: Node]
    /// Where the mapping starts, for errors about the mapping as a whole.
    public let location: SourceLocation

    /// The value of a known key, when present.
    public subscript(key: String) -> Node? { values[key] }
}
