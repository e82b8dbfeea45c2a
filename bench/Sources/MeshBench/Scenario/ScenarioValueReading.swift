import MeshCluster
import Yams

/// The readers scenario decoding needs on top of MeshCluster's `YAMLValueReading`: numbers
/// within a range, booleans, and a choice among fixed words. Each logs and returns `nil` on a
/// bad value, so decoding goes on and every problem is reported.
struct ScenarioValueReading {
    let read: YAMLValueReading
    var log: DiagnosticLog { read.log }

    /// A whole number within `range`.
    func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = read.integer(node, what) else { return nil }
        guard range.contains(value.value) else {
            log.error(
                "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value.value)",
                at: node)
            return nil
        }
        return value.value
    }

    /// A decimal number within `range`.
    func number(_ node: Node, _ what: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = read.number(node, what) else { return nil }
        guard range.contains(value.value) else {
            log.error(
                "\(what) must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), found \(Self.format(value.value))",
                at: node)
            return nil
        }
        return value.value
    }

    /// `true` or `false` (YAML 1.2 core schema spellings only, so `yes` is not silently true).
    func boolean(_ node: Node, _ what: String) -> Bool? {
        if case .scalar(let scalar) = node {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        log.error("expected true or false for \(what), found \(YAMLValueReading.describe(node))", at: node)
        return nil
    }

    /// One of `words`, with "did you mean" when close to one.
    func word(_ node: Node, _ what: String, among words: [String]) -> String? {
        guard let value = read.string(node, what) else { return nil }
        guard words.contains(value.value) else {
            let hint = NearestName.hint(for: value.value, among: words)
            let known = hint.isEmpty ? " (one of: \(words.joined(separator: ", ")))" : hint
            log.error("unknown \(what) '\(value.value)'\(known)", at: node)
            return nil
        }
        return value.value
    }

    /// A number without a trailing `.0` when whole, as people write it.
    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
