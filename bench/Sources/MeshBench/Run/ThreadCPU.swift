import Foundation
import Glibc
import MeshRuntime

/// CPU time of one thread of this process (`/proc/self/task/TID/stat`): what meshbench's
/// feeding thread (the publishers' worker) costs, as part of a target's delivery figures.
enum ThreadCPU {
    /// The calling thread's id, from the `/proc/thread-self` link ("PID/task/TID"); Swift's
    /// Glibc module does not import `gettid`.
    static func currentThreadID() -> Int32? {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let text = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) }
    }

    /// CPU seconds (user + system) thread `id` of this process has used; `nil` if unreadable.
    static func seconds(thread id: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/task/\(id)/stat", encoding: .utf8),
            let ticks = ProcessUsage.ticks(fromStat: text)
        else { return nil }
        let perSecond = sysconf(Int32(_SC_CLK_TCK))
        return perSecond > 0 ? Double(ticks) / Double(perSecond) : nil
    }
}
