import Synchronization

/// One in-flight attempt per key: a caller that finds an attempt under way for its key waits
/// for that attempt's result instead of starting another, so two viewers arriving at once for
/// a stream set up one subscription, and two streams needing the same upstream open one link.
final class SharedAttempts<Value: Sendable>: Sendable {
    private struct Entry {
        let generation: UInt64
        let task: Task<Result<Value, CarryFailure>, Never>
    }

    private struct Table {
        var nextGeneration: UInt64 = 0
        var entries: [String: Entry] = [:]
    }

    private let table = Mutex(Table())

    /// Joins the attempt under way for `key`, or starts `body` as the attempt.
    func run(
        _ key: String, _ body: @escaping @Sendable () async -> Result<Value, CarryFailure>
    ) async -> Result<Value, CarryFailure> {
        let task = table.withLock { table -> Task<Result<Value, CarryFailure>, Never> in
            if let running = table.entries[key] { return running.task }
            table.nextGeneration &+= 1
            let generation = table.nextGeneration
            // The task removes its own entry; it cannot before this closure returns, since
            // removing takes the lock held here.
            let task = Task {
                let result = await body()
                self.table.withLock { table in
                    if table.entries[key]?.generation == generation { table.entries[key] = nil }
                }
                return result
            }
            table.entries[key] = Entry(generation: generation, task: task)
            return task
        }
        return await task.value
    }

    /// Whether an attempt for `key` is under way.
    func isRunning(_ key: String) -> Bool {
        table.withLock { $0.entries[key] != nil }
    }

    /// Whether no attempt is under way for any key.
    var isIdle: Bool {
        table.withLock { $0.entries.isEmpty }
    }
}
