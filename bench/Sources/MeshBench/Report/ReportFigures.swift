import Foundation

/// Which way a figure improves.
enum Betterness: Equatable {
    case lower
    case higher
    /// Configuration or counts that are neither good nor bad (requested viewers, criteria).
    case neutral
}

/// A report's numeric figures as a flat list of named values (`latency_ms.p99`,
/// `nodes[origin-1].cpu_percent`), so tables and comparisons cover every figure without
/// naming each one; per-second series and raw samples are left out.
enum ReportFigures {
    /// One figure.
    struct Figure: Equatable {
        /// The JSON path of the figure.
        var name: String
        /// Its value.
        var value: Double
        /// Which way it improves.
        var better: Betterness { ReportFigures.betterness(of: name) }
    }

    /// Keys whose values are series, raw samples or identity rather than figures.
    static let skipped: Set<String> = ["schema_version", "samples", "timeline", "join_samples_ms", "trials", "pid"]

    /// Every numeric figure, sorted by name.
    static func flatten(_ report: RunReport) -> [Figure] {
        guard let data = try? ReportJSON.encode(report),
            let object = try? JSONSerialization.jsonObject(with: data)
        else { return [] }
        var figures: [Figure] = []
        walk(object, path: "", into: &figures)
        return figures.sorted { $0.name < $1.name }
    }

    private static func walk(_ value: Any, path: String, into figures: inout [Figure]) {
        if let dictionary = value as? [String: Any] {
            for (key, child) in dictionary where !skipped.contains(key) {
                walk(child, path: path.isEmpty ? key : "\(path).\(key)", into: &figures)
            }
        } else if let array = value as? [Any] {
            // Arrays of figures are the nodes: name each element by its id.
            for (index, element) in array.enumerated() {
                let id = (element as? [String: Any])?["id"] as? String ?? String(index)
                walk(element, path: "\(path)[\(id)]", into: &figures)
            }
        } else if let number = value as? NSNumber, !(value is String) {
            figures.append(Figure(name: path, value: number.doubleValue))
        }
    }

    /// Lower-is-better and higher-is-better rules, first match wins.
    private static let rules: [(fragment: String, better: Betterness)] = [
        ("criteria", .neutral), ("requested", .neutral), ("packets_expected", .neutral),
        ("frozen", .lower), ("connected", .higher), ("largest_passing", .higher), ("per_core", .higher),
        ("bitrate", .higher), (".count", .neutral), ("cores", .neutral), ("packets_forwarded", .neutral),
        ("retransmissions_received", .neutral), ("latency", .lower), ("jitter", .lower), ("join_ms", .lower),
        ("lost", .lower), ("percent_before", .lower), ("percent_after", .lower), ("failed", .lower),
        ("failure_reasons", .lower), ("cpu", .lower), ("rss", .lower), ("nacks", .lower), ("plis", .lower),
        ("sleeps", .lower), ("wake_up", .neutral),
    ]

    static func betterness(of name: String) -> Betterness {
        rules.first { name.contains($0.fragment) }?.better ?? .neutral
    }
}
