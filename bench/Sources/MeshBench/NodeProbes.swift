import Glibc

/// The node's CPU time from `/proc/PID/stat` (proc(5): fields 14 `utime` and 15 `stime`,
/// in clock ticks of `sysconf(_SC_CLK_TCK)`).
enum NodeCPU {
    /// utime + stime of `pid` in microseconds; `nil` if the process is gone or the file odd.
    static func microseconds(pid: Int32) -> Double? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticksPerSecond > 0 else { return nil }
        return (user + system) * 1_000_000 / ticksPerSecond
    }
}

/// A Prometheus text scrape of the node's `/metrics`.
enum NodeMetrics {
    /// The counter the fan-out cost is divided by.
    static let forwardedPackets = "meshcast_packets_forwarded_total"

    /// The sum of every sample of `name` (all label sets, e.g. every worker); `nil` when the
    /// scrape fails.
    static func total(_ name: String, at url: HTTPURL) -> Double? {
        guard let response = try? HTTPClient.request("GET", url), response.status == 200 else { return nil }
        var sum = 0.0
        for line in response.text.split(separator: "\n") where line.hasPrefix(name) {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { sum += value }
        }
        return sum
    }
}
