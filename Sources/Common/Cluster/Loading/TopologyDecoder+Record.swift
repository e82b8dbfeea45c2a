import Yams

/// Decoding of `policies.record`: each entry is a stream pattern, or a mapping with the
/// pattern and how long its recordings are kept: `[town-hall, {match: "event-*", retention: 7d}]`.
extension TopologyDecoder {
    static let recordEntryKeys = ["match", "retention"]

    /// The record patterns and their retentions; nil after reporting any entry that failed.
    func decodeRecord(_ node: Node) -> (patterns: [StreamPattern], retention: [RecordRetention])? {
        let entries: [Node]
        if case .sequence(let sequence) = node {
            entries = Array(sequence)
        } else {
            entries = [node]
        }
        var patterns: [StreamPattern] = []
        var retention: [RecordRetention] = []
        var valid = true
        for entry in entries {
            guard case .mapping = entry else {
                guard let text = read.string(entry, "'record'"), let pattern = self.pattern(text)?.value else {
                    valid = false
                    continue
                }
                patterns.append(pattern)
                continue
            }
            guard
                let fields = read.fields(entry, "record entry", known: Self.recordEntryKeys, required: ["match"]),
                let pattern = fields["match"].flatMap({ read.string($0, "'match'") }).flatMap({
                    self.pattern($0)?.value
                })
            else {
                valid = false
                continue
            }
            patterns.append(pattern)
            guard let kept = fields["retention"] else { continue }
            guard let seconds = retentionSeconds(kept) else {
                valid = false
                continue
            }
            retention.append(RecordRetention(pattern: pattern, seconds: seconds))
        }
        return valid ? (patterns, retention) : nil
    }

    /// A retention such as `7d`, or nil after saying what is accepted.
    private func retentionSeconds(_ node: Node) -> Int? {
        guard let text = read.string(node, "'retention'") else { return nil }
        guard let seconds = RecordRetention.seconds(text.value) else {
            log.error(
                "bad retention '\(text.value)': a whole number and s, m, h, d or w (30s, 12h, 7d), at most 3650d",
                at: text.location)
            return nil
        }
        return seconds
    }
}
