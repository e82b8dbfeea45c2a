/// How figures read in text and HTML: few digits, no trailing zeros.
enum FigureFormat {
    /// A number with at most `digits` decimals, trailing zeros dropped ("1.5", "12", "0.03").
    static func number(_ value: Double, digits: Int = 2) -> String {
        guard value.isFinite else { return value.isNaN ? "-" : (value > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int(rounded)) }
        var text = String(rounded)
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > digits + 1 {
            text = String(text[..<text.index(dot, offsetBy: digits + 1)])
        }
        return text
    }

    /// `p50 12 / p99 40 / max 55 ms`.
    static func percentiles(_ figures: Percentiles, unit: String = "ms") -> String {
        "p50 \(number(figures.p50)) / p95 \(number(figures.p95)) / p99 \(number(figures.p99)) / max \(number(figures.max)) \(unit)"
    }
}

extension String {
    /// The string padded with spaces to `width` characters for a text table column, with one
    /// space after it even when it is wider, so columns never run together.
    func padded(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
