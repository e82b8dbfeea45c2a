import Foundation

/// This process's CPU time (user + system) as the kernel counts it in `/proc/self/stat`.
enum ProcessCPUTime {
    /// CPU seconds used so far, or `nil` when `/proc` cannot be read (not Linux, hardened
    /// container): the heartbeat then reports no CPU load rather than a made-up one.
    static func seconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return nil }
        let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
        guard ticksPerSecond > 0, let ticks = ticks(fromStat: text) else { return nil }
        return Double(ticks) / Double(ticksPerSecond)
    }

    /// `utime + stime` in clock ticks from a `/proc/[pid]/stat` line (proc(5): fields 14 and
    /// 15). The command name (field 2) is in parentheses and may hold spaces or `)`, so the
    /// fields are counted from the last `)`.
    static func ticks(fromStat text: String) -> UInt64? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first, so utime (14) is at offset 11, stime at 12.
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        let (sum, overflow) = user.addingReportingOverflow(system)
        return overflow ? nil : sum
    }
}
