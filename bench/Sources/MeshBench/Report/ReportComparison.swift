/// Two reports side by side: every figure of either, with the B/A ratio and which is better.
/// Node figures are lined up by ``NodeMatching`` (id, then role, then position), so reports
/// of different targets compare node with node; the table says which was matched with which.
struct ReportComparison {
    /// One compared figure.
    struct Row: Equatable {
        var name: String
        var a: Double?
        var b: Double?
        /// B / A; `nil` when either is missing or A is zero and B is not.
        var ratio: Double?
        /// "A", "B", "=" or "" (no direction, or a side missing).
        var better: String
    }

    /// The rows, sorted by figure name.
    let rows: [Row]
    /// Which node of A was compared with which node of B.
    let nodes: NodeMatching

    init(_ a: RunReport, _ b: RunReport) {
        let nodes = NodeMatching(a.nodes, b.nodes)
        let first = Dictionary(
            ReportFigures.flatten(a).map { (NodeMatching.rename($0.name, nodes.label(a:)), $0) },
            uniquingKeysWith: { x, _ in x })
        let second = Dictionary(
            ReportFigures.flatten(b).map { (NodeMatching.rename($0.name, nodes.label(b:)), $0) },
            uniquingKeysWith: { x, _ in x })
        self.nodes = nodes
        rows = Set(first.keys).union(second.keys).sorted().map { name in
            Self.row(name, first[name]?.value, second[name]?.value)
        }
    }

    static func row(_ name: String, _ a: Double?, _ b: Double?) -> Row {
        guard let a, let b else { return Row(name: name, a: a, b: b, ratio: nil, better: "") }
        let ratio: Double? = a == 0 ? (b == 0 ? 1 : nil) : b / a
        let better: String
        switch ReportFigures.betterness(of: name) {
        case _ where a == b: better = "="
        case .lower: better = b < a ? "B" : "A"
        case .higher: better = b > a ? "B" : "A"
        case .neutral: better = ""
        }
        return Row(name: name, a: a, b: b, ratio: ratio, better: better)
    }

    /// A fixed-width text table with a header naming both reports.
    func text(nameA: String, nameB: String) -> String {
        let header = ["figure", "A", "B", "B/A", "better"]
        let body = rows.map { row in
            [
                row.name, row.a.map { FigureFormat.number($0) } ?? "-", row.b.map { FigureFormat.number($0) } ?? "-",
                row.ratio.map { FigureFormat.number($0, digits: 3) } ?? "-", row.better,
            ]
        }
        let table = [header] + body
        let widths = (0..<header.count).map { column in table.map { $0[column].count }.max() ?? 0 }
        let lines = table.map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        return (["A: \(nameA)", "B: \(nameB)"] + nodes.lines + lines).joined(separator: "\n")
    }

    /// The same table as a self-contained HTML page.
    func html(nameA: String, nameB: String) -> String {
        let rowsHTML = rows.map { row in
            let cells = [
                row.a.map { FigureFormat.number($0) } ?? "-", row.b.map { FigureFormat.number($0) } ?? "-",
                row.ratio.map { FigureFormat.number($0, digits: 3) } ?? "-", row.better,
            ]
            return "<tr><td>\(HTMLText.escape(row.name))</td>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>meshbench compare</title>
            <style>body{font:14px system-ui,sans-serif;margin:24px}table{border-collapse:collapse}
            td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head>
            <body><h1>meshbench compare</h1><p>A: \(HTMLText.escape(nameA))<br>B: \(HTMLText.escape(nameB))</p>
            \(nodes.lines.isEmpty ? "" : "<p>" + nodes.lines.map(HTMLText.escape).joined(separator: "<br>") + "</p>")
            <table><tr><th>figure</th><th>A</th><th>B</th><th>B/A</th><th>better</th></tr>\(rowsHTML.joined())</table>
            </body></html>

            """
    }
}
