import Dispatch

/// Runs `work` in a task and blocks until it is done: for tear-downs that must finish in a
/// synchronous `stop()` (an engine's shutdown before its worker group stops).
func waitForTask(_ work: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await work()
        done.signal()
    }
    done.wait()
}
