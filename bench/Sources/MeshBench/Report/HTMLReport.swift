/// One self-contained HTML page for a run: inline CSS and inline SVG charts (join-time
/// distribution, latency, CPU and RSS per node, loss over time) and the figures as tables.
/// It names no external URL and runs no script, so it opens offline and can be mailed.
enum HTMLReport {
    static func render(_ report: RunReport) -> String {
        var body = "<h1>meshbench: \(HTMLText.escape(report.scenario))</h1>"
        body +=
            "<p>\(HTMLText.escape(report.target)) · \(HTMLText.escape(report.build)) · "
            + "\(report.machine.cores) cores, kernel \(HTMLText.escape(report.machine.kernel))</p>"
        body += "<pre>\(HTMLText.escape(TextSummary.render(report)))</pre>"
        body += "<div class=\"charts\">" + charts(report).joined() + "</div>"
        body += HTMLTables.figures(report)
        body += HTMLTables.nodes(report.nodes, sendLimit: report.sendLimit)
        if let capacity = report.capacity { body += HTMLTables.capacity(capacity) }
        if let turn = report.turn { body += HTMLTables.turn(turn) }
        if let recording = report.recording { body += HTMLTables.recording(recording) }
        if let search = report.recordingCapacity { body += search.html }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>meshbench \(HTMLText.escape(report.scenario))</title>
            <style>\(style)</style></head>
            <body>\(body)</body></html>

            """
    }

    /// The charts, in reading order.
    static func charts(_ report: RunReport) -> [String] {
        let timeline = report.timeline
        let burst = report.burst.map { burst in
            SVGCharts.lines(
                title: "Steady viewers during the join burst", xLabel: "s since the burst", yLabel: "% of steady rate",
                series: [
                    ChartSeries(name: "received", points: burst.seconds.map { ($0.t, $0.percent) }),
                    ChartSeries(name: "limit", points: burst.seconds.map { ($0.t, burst.minimumRatePercent) }),
                ])
        }
        return [
            SVGCharts.histogram(title: "Join time to first packet", xLabel: "ms", values: report.joinSamplesMs),
            SVGCharts.lines(
                title: "Latency over time", xLabel: "s", yLabel: "ms",
                series: [
                    ChartSeries(name: "p50", points: timeline.map { ($0.t, $0.latencyP50Ms) }),
                    ChartSeries(name: "p99", points: timeline.map { ($0.t, $0.latencyP99Ms) }),
                ]),
            SVGCharts.lines(
                title: "CPU per node", xLabel: "s", yLabel: "% of one core",
                series: report.nodes.map { node in
                    ChartSeries(name: node.id, points: node.samples.map { ($0.t, $0.cpuPercent) })
                }),
            SVGCharts.lines(
                title: "Resident memory per node", xLabel: "s", yLabel: "MB",
                series: report.nodes.map { node in
                    ChartSeries(name: node.id, points: node.samples.map { ($0.t, $0.rssMb) })
                }),
            SVGCharts.lines(
                title: "Loss after retransmission", xLabel: "s", yLabel: "%",
                series: [ChartSeries(name: "loss", points: timeline.map { ($0.t, $0.lossPercent) })]),
        ] + (burst.map { [$0] } ?? [])
    }

    private static let style = """
        body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1340px}
        h1{font-size:20px}h2{font-size:16px;margin-top:28px}
        pre{background:#f6f6f6;padding:12px;overflow:auto}
        .charts{display:flex;flex-wrap:wrap;gap:16px}
        svg{background:#fff;border:1px solid #ddd}
        .axis{stroke:#888}.tick{font-size:10px;fill:#555}.label{font-size:11px;fill:#333}
        .legend{font-size:11px}.chart-title{font-size:13px;font-weight:600}
        table{border-collapse:collapse;margin-top:8px}
        td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}
        td:first-child,th:first-child{text-align:left}
        .fail{color:#b00}.pass{color:#070}
        """
}
