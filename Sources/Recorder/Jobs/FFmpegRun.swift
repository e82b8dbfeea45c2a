import Foundation
import Synchronization

/// Runs Debian's `ffmpeg` as a child process at the lowest CPU priority (`nice -n 19`), with a
/// time limit, its stderr in a log file. Waiting is asynchronous: no thread blocks on it.
enum FFmpegRun {
    /// How a run ended.
    enum Outcome: Equatable {
        /// Exit status 0.
        case succeeded
        /// A non-zero exit, with the tail of ffmpeg's log.
        case failed(String)
        /// Killed after the time limit.
        case timedOut
        /// Cancelled (the recorder is stopping): killed.
        case cancelled
    }

    /// The ffmpeg to run: `MESHCAST_FFMPEG` when set, else `ffmpeg` on the `PATH`.
    static var executable: String {
        ProcessInfo.processInfo.environment["MESHCAST_FFMPEG"] ?? "ffmpeg"
    }

    /// Runs `ffmpeg arguments` with stderr into `log`, killing it after `limit` or when the
    /// calling task is cancelled.
    static func run(_ arguments: [String], log: String, limit: Duration) async -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        process.arguments = ["-n", "19", executable] + arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let logHandle = FileHandle(forWritingAtPath: log) else { return .failed("cannot write \(log)") }
        defer { try? logHandle.close() }
        process.standardError = logHandle
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let ended = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            ended.continuation.yield()
            ended.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(executable): \(error)")
        }
        let timedOut = Flag()
        let killer = Task {
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled, process.isRunning else { return }
            timedOut.value.store(true, ordering: .relaxed)
            process.terminate()
            try? await Task.sleep(for: .seconds(5))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        await withTaskCancellationHandler {
            for await _ in ended.stream { break }
        } onCancel: {
            process.terminate()
        }
        killer.cancel()
        if Task.isCancelled { return .cancelled }
        if timedOut.value.load(ordering: .relaxed) { return .timedOut }
        if process.terminationStatus == 0, process.terminationReason == .exit { return .succeeded }
        return .failed("ffmpeg exited \(process.terminationStatus): \(tail(of: log))")
    }

    /// A flag the time limit's task sets (an `Atomic` cannot be captured by itself).
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// The last line or so of the log (ffmpeg says what went wrong last).
    static func tail(of log: String) -> String {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "(no message)" : String(trimmed.suffix(400))
    }
}
