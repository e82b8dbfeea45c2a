import Yams

/// Decoding of `policies.record`: each entry is a stream pattern, or a mapping with the
/// pattern, how long its recordings are kept, which simulcast layers they keep and whether
/// they get an MP4 when they stop: `[town-hall, {match: "event-*", retention: 7d, layers: all, mp4: remux}]`.
extension TopologyDecoder {
    static let recordEntryKeys = ["match", "retention", "layers", "mp4"]

    /// The record patterns, their retentions, those that keep every layer and their MP4 jobs;
    /// nil after reporting any entry that failed.
    func decodeRecord(_ node: Node) -> (
        patterns: [StreamPattern], retention: [RecordRetention], allLayers: [StreamPattern], mp4: [RecordMP4]
    )? {
        let entries: [Node]
        if case .sequence(let sequence) = node {
            entries = Array(sequence)
        } else {
            entries = [node]
        }
        var patterns: [StreamPattern] = []
        var retention: [RecordRetention] = []
        var allLayers: [StreamPattern] = []
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
            if let layers = fields["layers"] {
                switch recordLayers(layers) {
                case .some(true): allLayers.append(pattern)
                case .some(false): break
                case nil: valid = false
                }
            }
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
        return valid ? (patterns, retention, allLayers, mp4) : nil
    }

    /// `layers: all` (true) or `top` (false), or nil after saying what is accepted.
    private func recordLayers(_ node: Node) -> Bool? {
        guard let text = read.string(node, "'layers'") else { return nil }
        switch text.value {
        case "all": return true
        case "top": return false
        default:
            log.error(
                "bad layers '\(text.value)': top (the best live simulcast layer) or all (every layer)",
                at: text.location)
            return nil
        }
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
