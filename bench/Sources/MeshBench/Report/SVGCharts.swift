/// A named line of a line chart.
struct ChartSeries {
    /// The legend text.
    var name: String
    /// Points in data units, in x order.
    var points: [(x: Double, y: Double)]
}

/// Line and histogram charts as inline SVG.
enum SVGCharts {
    /// Distinct colours for up to eight series, then repeated.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Lines over time, with a legend; an empty chart says "no data".
    static func lines(title: String, xLabel: String, yLabel: String, series: [ChartSeries]) -> String {
        let frame = SVGFrame(
            xs: series.flatMap { $0.points.map(\.x) }, ys: series.flatMap { $0.points.map(\.y) })
        var svg = frame.opening(title: title, xLabel: xLabel, yLabel: yLabel)
        if series.allSatisfy({ $0.points.isEmpty }) { svg += noData }
        for (index, line) in series.enumerated() where !line.points.isEmpty {
            let colour = palette[index % palette.count]
            let points = line.points.map {
                "\(FigureFormat.number(frame.x($0.x))),\(FigureFormat.number(frame.y($0.y)))"
            }
            svg +=
                "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
            let legendY = FigureFormat.number(SVGFrame.top + 12 + Double(index) * 14)
            let legendX = FigureFormat.number(SVGFrame.width - SVGFrame.right - 150)
            svg +=
                "<text x=\"\(legendX)\" y=\"\(legendY)\" class=\"legend\" fill=\"\(colour)\">\(HTMLText.escape(line.name))</text>"
        }
        return svg + "</svg>"
    }

    /// A histogram of values in `bins` equal-width bins.
    static func histogram(title: String, xLabel: String, values: [Double], bins: Int = 20) -> String {
        let low = values.min() ?? 0
        let high = values.max() ?? 1
        let width = high > low ? (high - low) / Double(bins) : 1
        var counts = [Int](repeating: 0, count: bins)
        for value in values {
            let bin = Swift.min(bins - 1, Swift.max(0, Int((value - low) / width)))
            counts[bin] += 1
        }
        let frame = SVGFrame(xs: [low, low + width * Double(bins)], ys: counts.map(Double.init))
        var svg = frame.opening(title: title, xLabel: xLabel, yLabel: "viewers")
        if values.isEmpty { svg += noData }
        for (bin, count) in counts.enumerated() where count > 0 {
            let x0 = frame.x(low + Double(bin) * width)
            let x1 = frame.x(low + Double(bin + 1) * width)
            let top = frame.y(Double(count))
            let bottom = frame.y(0)
            svg +=
                "<rect x=\"\(FigureFormat.number(x0 + 0.5))\" y=\"\(FigureFormat.number(top))\" "
                + "width=\"\(FigureFormat.number(Swift.max(0.5, x1 - x0 - 1)))\" height=\"\(FigureFormat.number(bottom - top))\" "
                + "fill=\"\(palette[0])\"><title>\(count)</title></rect>"
        }
        return svg + "</svg>"
    }

    private static var noData: String {
        "<text x=\"\(FigureFormat.number(SVGFrame.width / 2))\" y=\"\(FigureFormat.number(SVGFrame.height / 2))\" class=\"label\" text-anchor=\"middle\">no data</text>"
    }
}
