/// A Prometheus text scrape of the node's `/metrics`.
enum NodeMetrics {
    /// The counter the fan-out cost is divided by.
    static let forwardedPackets = "meshcast_packets_forwarded_total"

    /// The sum of every sample of `name` (all label sets, e.g. every worker); `nil` when the
    /// scrape fails.
    static func total(_ name: String, at url: HTTPURL) -> Double? {
        guard let response = try? HTTPClient.request("GET", url), response.status == 200 else { return nil }
        return total(name, in: response.text)
    }

    /// The sum of every sample of `name` in a scrape's text; `nil` when there is none.
    static func total(_ name: String, in text: String) -> Double? {
        var sum: Double?
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { sum = (sum ?? 0) + value }
        }
        return sum
    }
}
