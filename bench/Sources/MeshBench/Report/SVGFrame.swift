/// The frame every chart shares: size, margins, axes with a few labelled ticks, and the
/// mapping from data to pixels. Drawing is plain SVG text so the report opens offline.
struct SVGFrame {
    static let width = 640.0
    static let height = 240.0
    static let left = 56.0
    static let right = 16.0
    static let top = 28.0
    static let bottom = 36.0

    /// The data range on each axis.
    var xRange: ClosedRange<Double>
    var yRange: ClosedRange<Double>

    /// A frame whose ranges cover the values, y from zero, never empty.
    init(xs: [Double], ys: [Double]) {
        let xLow = xs.min() ?? 0
        let xHigh = xs.max() ?? 1
        xRange = xLow...(xHigh > xLow ? xHigh : xLow + 1)
        let yHigh = ys.max() ?? 1
        yRange = 0...(yHigh > 0 ? yHigh * 1.1 : 1)
    }

    var plotWidth: Double { Self.width - Self.left - Self.right }
    var plotHeight: Double { Self.height - Self.top - Self.bottom }

    func x(_ value: Double) -> Double {
        Self.left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * plotWidth
    }

    func y(_ value: Double) -> Double {
        Self.top + plotHeight - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * plotHeight
    }

    /// `<svg ...>` (no xmlns: HTML5 parses inline SVG without it, and the report names no
    /// URL at all), title, axes, ticks and axis labels; the caller adds marks and `</svg>`.
    func opening(title: String, xLabel: String, yLabel: String) -> String {
        let w = FigureFormat.number(Self.width)
        let h = FigureFormat.number(Self.height)
        var svg = "<svg viewBox=\"0 0 \(w) \(h)\" width=\"\(w)\" height=\"\(h)\" role=\"img\">"
        svg += "<title>\(HTMLText.escape(title))</title>"
        svg += "<text x=\"\(Self.left)\" y=\"18\" class=\"chart-title\">\(HTMLText.escape(title))</text>"
        let axisY = FigureFormat.number(Self.top + plotHeight)
        svg +=
            "<line x1=\"\(Self.left)\" y1=\"\(axisY)\" x2=\"\(FigureFormat.number(Self.left + plotWidth))\" y2=\"\(axisY)\" class=\"axis\"/>"
        svg += "<line x1=\"\(Self.left)\" y1=\"\(Self.top)\" x2=\"\(Self.left)\" y2=\"\(axisY)\" class=\"axis\"/>"
        for step in 0...4 {
            let fraction = Double(step) / 4
            let yValue = yRange.lowerBound + fraction * (yRange.upperBound - yRange.lowerBound)
            let yPixel = FigureFormat.number(y(yValue))
            svg +=
                "<text x=\"\(FigureFormat.number(Self.left - 6))\" y=\"\(yPixel)\" class=\"tick\" text-anchor=\"end\">\(FigureFormat.number(yValue, digits: 1))</text>"
            let xValue = xRange.lowerBound + fraction * (xRange.upperBound - xRange.lowerBound)
            svg +=
                "<text x=\"\(FigureFormat.number(x(xValue)))\" y=\"\(FigureFormat.number(Self.top + plotHeight + 14))\" class=\"tick\" text-anchor=\"middle\">\(FigureFormat.number(xValue, digits: 1))</text>"
        }
        svg +=
            "<text x=\"\(FigureFormat.number(Self.left + plotWidth / 2))\" y=\"\(FigureFormat.number(Self.height - 4))\" class=\"label\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>"
        svg +=
            "<text x=\"12\" y=\"\(FigureFormat.number(Self.top + plotHeight / 2))\" class=\"label\" transform=\"rotate(-90 12 \(FigureFormat.number(Self.top + plotHeight / 2)))\" text-anchor=\"middle\">\(HTMLText.escape(yLabel))</text>"
        return svg
    }
}

/// Escapes text for HTML and SVG content and attribute values.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
