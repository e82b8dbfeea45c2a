/// The tables of the HTML report.
enum HTMLTables {
    /// Every figure of the run as name/value rows (the same flattening `compare` uses).
    static func figures(_ report: RunReport) -> String {
        let rows = ReportFigures.flatten(report).map { figure in
            "<tr><td>\(HTMLText.escape(figure.name))</td><td>\(FigureFormat.number(figure.value))</td></tr>"
        }
        return "<h2>Figures</h2><table><tr><th>figure</th><th>value</th></tr>\(rows.joined())</table>"
    }

    /// One row per node, with its share of the send limit when one was measured.
    static func nodes(_ nodes: [NodeFigures], sendLimit: SendLimitFigures? = nil) -> String {
        guard !nodes.isEmpty else { return "" }
        let header =
            "<tr><th>node</th><th>role</th><th>pid</th><th>CPU s</th><th>CPU %</th><th>RSS max MB</th>"
            + "<th>RSS KB/viewer</th>"
            + "<th>packets forwarded</th><th>CPU µs/packet</th><th>CPU µs/packet once all joined</th>"
            + "<th>CPU % with no viewer</th><th>µs/packet once all joined, net of it</th>"
            + "<th>share of send limit</th><th>sleeps/s once all joined</th><th>their µs/packet</th></tr>"
        let rows = nodes.map { node in
            let cells: [String] = [
                node.pid.map(String.init) ?? "-", FigureFormat.number(node.cpuSeconds),
                FigureFormat.number(node.cpuPercent), FigureFormat.number(node.rssMbMax),
                node.rssKbPerViewer.map { FigureFormat.number($0) } ?? "-",
                node.packetsForwarded.map(String.init) ?? "-",
                node.cpuUsPerForwardedPacket.map { FigureFormat.number($0) } ?? "-",
                node.steadyCpuUsPerForwardedPacket.map { FigureFormat.number($0) } ?? "-",
                node.baseline.map { FigureFormat.number($0.cpuPercent) } ?? "-",
                node.baseline?.netSteadyCpuUsPerForwardedPacket.map { FigureFormat.number($0) } ?? "-",
                share(of: node, in: sendLimit),
                node.steadySleeps.map { FigureFormat.number($0.perSecond, digits: 0) } ?? "-",
                sendLimit?.sleepUsPerPacket(of: node).map { FigureFormat.number($0) } ?? "-",
            ]
            return "<tr><td>\(HTMLText.escape(node.id))</td><td>\(HTMLText.escape(node.role))</td>"
                + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        let limit = sendLimit.map { "<p>Send limit: \(HTMLText.escape($0.summary)).</p>" } ?? ""
        return "<h2>Nodes</h2><table>\(header)\(rows.joined())</table>\(limit)"
    }

    /// `49 %`: the node's CPU per packet as a share of the send limit, or `-`.
    private static func share(of node: NodeFigures, in sendLimit: SendLimitFigures?) -> String {
        guard let share = sendLimit?.shareByNode[node.id] else { return "-" }
        return FigureFormat.number(share * 100, digits: 0) + " %"
    }

    /// The capacity search trials and result.
    static func capacity(_ capacity: CapacityResult) -> String {
        let header =
            "<tr><th>viewers</th><th>result</th><th>loss after %</th><th>latency p99 ms</th><th>CPU %</th>"
            + "<th>RSS max MB</th></tr>"
        let rows = capacity.trials.map { trial in
            let result = trial.passed ? "<td class=\"pass\">pass</td>" : "<td class=\"fail\">fail</td>"
            return "<tr><td>\(trial.viewers)</td>\(result)<td>\(FigureFormat.number(trial.lossAfterPercent))</td>"
                + "<td>\(FigureFormat.number(trial.latencyP99Ms))</td><td>\(FigureFormat.number(trial.cpuPercent))</td>"
                + "<td>\(trial.rssMbMax.map { FigureFormat.number($0) } ?? "-")</td></tr>"
        }
        let summary =
            "<p>Largest passing: \(capacity.largestPassing) viewers (\(FigureFormat.number(capacity.perCore)) per core), "
            + "within \(FigureFormat.number(capacity.criteria.lossAfterRetransmissionPercent)) % loss and "
            + "p99 \(FigureFormat.number(capacity.criteria.latencyP99Ms)) ms."
            + (capacity.rssKbPerViewer.map { " Node RSS: \(FigureFormat.number($0)) KB per viewer across the trials." }
                ?? "")
            + "</p>"
        return "<h2>Capacity search</h2>\(summary)<table>\(header)\(rows.joined())</table>"
    }

    /// Through TURN against direct (and against coturn), side by side.
    static func turn(_ turn: TURNFigures) -> String {
        let number = { (value: Double?) in value.map { FigureFormat.number($0) } ?? "-" }
        var rows = [
            (
                "through TURN (\(turn.transport))", "\(turn.viewersThroughTurn)",
                number(turn.turnCpuUsPerForwardedPacket)
            ),
            ("direct", turn.viewersDirect.map(String.init) ?? "-", number(turn.directCpuUsPerForwardedPacket)),
        ]
        if let coturn = turn.coturn {
            rows.append(
                ("through coturn \(coturn.version)", "\(coturn.viewers)", number(coturn.totalCpuUsPerForwardedPacket)))
        }
        let cells = rows.map { "<tr><td>\(HTMLText.escape($0.0))</td><td>\($0.1)</td><td>\($0.2)</td></tr>" }
        let ratio = turn.ratio.map {
            "<p>Through TURN / direct: ×\(FigureFormat.number($0)) (target ≤ \(FigureFormat.number(turn.targetRatio))).</p>"
        }
        let coturn = turn.coturn.map { "<p>\(HTMLText.escape($0.summary)).</p>" }
        return "<h2>TURN</h2><table><tr><th>path</th><th>viewers</th><th>CPU µs/forwarded packet</th></tr>"
            + cells.joined() + "</table>" + (ratio ?? "") + (coturn ?? "")
    }
}

extension HTMLTables {
    /// The recorder's figures (record.yaml): CPU per stream, bytes, writes, limits.
    static func recording(_ recording: RecordingFigures) -> String {
        let number = { (value: Double?) in value.map { FigureFormat.number($0) } ?? "-" }
        let rows: [(String, String)] = [
            ("recorder", HTMLText.escape(recording.node)),
            ("streams recorded", "\(recording.recordingsActiveMax) of \(recording.streams)"),
            ("CPU % (one core = 100)", number(recording.cpuPercent)),
            ("CPU % per stream", number(recording.cpuPercentPerStream)),
            ("streams per core (estimate)", recording.streamsPerCore.map { FigureFormat.number($0, digits: 0) } ?? "-"),
            ("bytes received (RTP)", String(recording.bytesReceived)),
            ("bytes written (segment files)", String(recording.bytesWritten)),
            ("written / received", recording.writtenPerReceived.map { FigureFormat.number($0, digits: 3) } ?? "-"),
            ("slowest write per second, ms", FigureFormat.percentiles(recording.writeMsPerSecondMax)),
            (
                "frames dropped / ring drops / gaps / failed",
                "\(recording.droppedFrames) / \(recording.tapDrops) / \(recording.gaps) / \(recording.failures)"
            ),
        ]
        let verdict =
            recording.withinLimits
            ? "<p class=\"pass\">Within the recording limits.</p>"
            : "<p class=\"fail\">Out of limits: \(HTMLText.escape(recording.limitFailures.joined(separator: "; ")))</p>"
        let body = rows.map { "<tr><td>\($0.0)</td><td>\($0.1)</td></tr>" }.joined()
        return "<h2>Recording</h2><table>\(body)</table>\(verdict)"
    }
}
