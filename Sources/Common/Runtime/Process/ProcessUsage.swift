import Foundation

/// What the kernel says a process costs: CPU time from the process's CPU-time clock
/// (clock_getcpuclockid(3), nanoseconds; `/proc/PID/stat` where it cannot be read), resident
/// memory from `/proc/PID/statm` and its threads' sleeps from `/proc/PID/task/*/status` (proc(5)). For
/// this process (a node's heartbeat and `/metrics`) and for the children a benchmark watches.
/// `nil` when `/proc` cannot be read (not Linux, a hardened container, a process that is gone):
/// callers report nothing rather than a made-up figure.
public enum ProcessUsage {
    /// CPU seconds (user + system) `pid` used so far, all its threads, the ended ones too; this
    /// process when `pid` is `nil`. From the process's CPU-time clock: `/proc/PID/stat` counts in
    /// 10 ms ticks, which over a 2 s window of a node at 1 % CPU is half the figure.
    public static func cpuSeconds(of pid: Int32? = nil) -> Double? {
        var clock = CLOCK_PROCESS_CPUTIME_ID
        var now = timespec()
        if pid.map({ clock_getcpuclockid($0, &clock) == 0 }) ?? true, clock_gettime(clock, &now) == 0 {
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        }
        return statCPUSeconds(of: pid)
    }

    /// The same from `/proc/PID/stat` (`utime + stime`, in clock ticks).
    static func statCPUSeconds(of pid: Int32?) -> Double? {
        guard let text = try? String(contentsOfFile: path(pid, "stat"), encoding: .utf8) else { return nil }
        let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
        guard ticksPerSecond > 0, let ticks = ticks(fromStat: text) else { return nil }
        return Double(ticks) / Double(ticksPerSecond)
    }

    /// Resident set size of `pid` in bytes (`statm` field 2, in pages); this process when `nil`.
    public static func residentBytes(of pid: Int32? = nil) -> Int? {
        guard let text = try? String(contentsOfFile: path(pid, "statm"), encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// How many times `pid`'s threads have gone to sleep so far: the sum of each thread's
    /// `voluntary_ctxt_switches` (`/proc/PID/task/TID/status`, proc(5)). Each sleep is paid
    /// again on the wake-up, and on a virtual machine that pair can cost more CPU than a
    /// packet's forwarding. Threads that exited take their counts with them, so the sum can
    /// fall; callers compare readings of long-lived processes. This process when `pid` is `nil`.
    public static func sleeps(of pid: Int32? = nil) -> UInt64? {
        let folder = path(pid, "task")
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        var total: UInt64 = 0
        for thread in threads {
            // A thread that ends between the listing and the read is simply not counted.
            guard let text = try? String(contentsOfFile: "\(folder)/\(thread)/status", encoding: .utf8),
                let count = voluntarySwitches(fromStatus: text)
            else { continue }
            total &+= count
        }
        return total
    }

    /// The `voluntary_ctxt_switches:` count of a `/proc/.../status` text; `nil` when the line
    /// is missing or not a number.
    public static func voluntarySwitches(fromStatus text: String) -> UInt64? {
        let key = "voluntary_ctxt_switches:"
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            return UInt64(line.dropFirst(key.count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// `utime + stime` in clock ticks from a `/proc/[pid]/stat` line (proc(5): fields 14 and
    /// 15). The command name (field 2) is in parentheses and may hold spaces or `)`, so the
    /// fields are counted from the last `)`.
    public static func ticks(fromStat text: String) -> UInt64? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first, so utime (14) is at offset 11, stime at 12.
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        let (sum, overflow) = user.addingReportingOverflow(system)
        return overflow ? nil : sum
    }

    /// The Prometheus client convention's process figures, for `/metrics`.
    public static func prometheusText() -> String {
        var text = ""
        if let seconds = cpuSeconds() {
            text += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            text += "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total \(seconds)\n"
        }
        if let bytes = residentBytes() {
            text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            text += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \(bytes)\n"
        }
        return text
    }

    private static func path(_ pid: Int32?, _ file: String) -> String {
        "/proc/\(pid.map(String.init) ?? "self")/\(file)"
    }
}
