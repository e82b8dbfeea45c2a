import Foundation

/// The figures of one `meshbench viewers` run, printed as text and optionally as JSON.
struct ViewersReport: Codable, Sendable {
    /// Join time (POST to first RTP) percentiles, in milliseconds.
    struct Percentiles: Codable, Sendable {
        var p50: Double
        var p95: Double
        var max: Double

        /// Nearest-rank percentiles of `values`; zeros when empty.
        init(_ values: [Double]) {
            let sorted = values.sorted()
            func rank(_ fraction: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
                return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
            }
            p50 = rank(0.50)
            p95 = rank(0.95)
            max = sorted.last ?? 0
        }
    }

    var viewersRequested: Int
    var viewersConnected: Int
    var failures: [String]
    var joinMilliseconds: Percentiles
    var windowSeconds: Double
    var packetsReceived: Int
    var packetsPerSecond: Double
    var audioPacketsReceived: Int
    var videoPacketsReceived: Int
    var megabitsPerSecond: Double
    var packetsDropped: Int
    /// Sessions whose DELETE answered 2xx.
    var sessionsDeleted: Int
    var nodeCPUSeconds: Double?
    var nodeCPUPercent: Double?
    var packetsForwarded: Double?
    var cpuMicrosecondsPerForwardedPacket: Double?

    /// A few aligned lines for the terminal.
    var text: String {
        func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        var lines = [
            "viewers connected   \(viewersConnected)/\(viewersRequested)",
            "join ms (POST→RTP)  p50 \(format(joinMilliseconds.p50))  p95 \(format(joinMilliseconds.p95))  max \(format(joinMilliseconds.max))",
            "window              \(format(windowSeconds, 2)) s",
            "packets received    \(packetsReceived) (audio \(audioPacketsReceived), video \(videoPacketsReceived)), \(format(packetsPerSecond)) /s, \(format(megabitsPerSecond, 2)) Mbit/s, dropped \(packetsDropped)",
        ]
        lines.append("sessions deleted    \(sessionsDeleted)/\(viewersRequested)")
        if let nodeCPUSeconds, let nodeCPUPercent {
            lines.append("node CPU            \(format(nodeCPUSeconds, 3)) s (\(format(nodeCPUPercent)) % of one core)")
        }
        if let packetsForwarded {
            lines.append(
                "packets forwarded   \(Int(packetsForwarded)) (\(format(packetsForwarded / max(windowSeconds, 0.001))) /s)"
            )
        }
        if let cpuMicrosecondsPerForwardedPacket {
            lines.append("CPU µs / forwarded  \(format(cpuMicrosecondsPerForwardedPacket, 2))")
        }
        for failure in failures.prefix(5) { lines.append("failure             \(failure)") }
        if failures.count > 5 { lines.append("failure             … and \(failures.count - 5) more") }
        return lines.joined(separator: "\n")
    }

    /// Pretty JSON with snake_case keys.
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
