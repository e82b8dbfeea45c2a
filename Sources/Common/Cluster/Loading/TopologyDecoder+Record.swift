import Yams

/// Decoding of `policies.record`: each entry is a stream pattern, or a mapping with the
/// pattern, how long its recordings are kept and whether they get an MP4 when they stop:
/// `[town-hall, {match: "event-*", retention: 7d, mp4: remux}]`.
extension TopologyDecoder {
    static let recordEntryKeys = ["match", "retention", "mp4"]

    /// The record patterns and their retentions; nil after reporting any entry that failed.
    func decodeRecord(_ node: Node) -> (patterns: [StreamPattern], retention: [RecordRetention], mp4: [RecordMP4])? {
        let entries: [Node]
        if case .sequence(let sequence) = node {
            entries = Array(sequence)
        } else {
            entries = [node]
        }
        var patterns: [StreamPattern] = []
        var retention: [RecordRetention] = []
        var mp4: [RecordMP4] = []
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
            if let modeNode = fields["mp4"] {
                guard let text = read.string(modeNode, "'mp4'") else {
                    valid = false
                    continue
                }
                guard let mode = RecordMP4.Mode(rawValue: text.value) else {
                    log.error("bad mp4 '\(text.value)': remux or transcode", at: text.location)
                    valid = false
                    continue
                }
                mp4.append(RecordMP4(pattern: pattern, mode: mode))
            }
            guard let kept = fields["retention"] else { continue }
            guard let seconds = retentionSeconds(kept) else {
                valid = false
                continue
            }
            retention.append(RecordRetention(pattern: pattern, seconds: seconds))
        }
        return valid ? (patterns, retention, mp4) : nil
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
