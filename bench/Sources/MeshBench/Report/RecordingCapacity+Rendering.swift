/// The recording capacity search in the text summary and the HTML report.
extension RecordingCapacityResult {
    /// The summary's `rec-capacity:` lines.
    var summary: [String] {
        let number = { (value: Double?, digits: Int) in value.map { FigureFormat.number($0, digits: digits) } ?? "-" }
        let target = streamsPerCore.map { $0 >= Self.targetStreamsPerCore ? "meets" : "below" } ?? "no figure for"
        return [
            "rec-capacity: \(largestPassing) streams recorded on \(node) (\(workers) worker) within write p99 "
                + "\(number(limits.writeP99Ms, 0)) ms, CPU \(number(limits.cpuPercent, 0)) %, no gaps or drops",
            "              there: \(number(cpuPercentPerStream, 3)) % CPU per stream, ≈ \(number(streamsPerCore, 0)) "
                + "streams per core (\(target) the target of \(number(Self.targetStreamsPerCore, 0))), "
                + "written/received \(number(writtenPerReceived, 3)) "
                + "(\(bytesWritten.map(String.init) ?? "-") / \(bytesReceived.map(String.init) ?? "-") bytes)",
        ]
    }

    /// The HTML table: one row per trial.
    var html: String {
        let header =
            "<tr><th>streams</th><th>result</th><th>wrote</th><th>CPU %</th><th>CPU % per stream</th>"
            + "<th>write p99 ms</th><th>ring drops / gaps / dropped frames</th><th>written / received</th>"
            + "<th>limits broken</th></tr>"
        let rows = trials.map { trial in
            let figures = trial.figures
            let result = trial.passed ? "<td class=\"pass\">pass</td>" : "<td class=\"fail\">fail</td>"
            return "<tr><td>\(trial.streams)</td>\(result)<td>\(figures.recordingsWritten ?? 0)</td>"
                + "<td>\(FigureFormat.number(figures.cpuPercent))</td>"
                + "<td>\(figures.cpuPercentPerStream.map { FigureFormat.number($0, digits: 3) } ?? "-")</td>"
                + "<td>\(FigureFormat.number(figures.writeMsPerSecondMax.p99))</td>"
                + "<td>\(figures.tapDrops) / \(figures.gaps) / \(figures.droppedFrames)</td>"
                + "<td>\(figures.writtenPerReceived.map { FigureFormat.number($0, digits: 3) } ?? "-")</td>"
                + "<td>\(HTMLText.escape(trial.failures.joined(separator: "; ")))</td></tr>"
        }
        let summary = "<p>" + summary.map(HTMLText.escape).joined(separator: "<br>") + "</p>"
        return "<h2>Recording capacity</h2>\(summary)<table>\(header)\(rows.joined())</table>"
    }
}
