import Glibc
import Synchronization

/// Stops what a whole test process shares (static sets, never deinitialized) when the process
/// exits, so no `redis-server` outlives the tests: one that did would also hold `swift test`'s
/// output pipe open, and `swift test` would wait for it forever.
public enum ProcessExitCleanup {
    private static let actions = Mutex<[@Sendable () -> Void]>([])
    private static let registered: Void = { atexit { ProcessExitCleanup.runAll() } }()

    /// Runs `action` at process exit.
    public static func add(_ action: @escaping @Sendable () -> Void) {
        _ = registered
        actions.withLock { $0.append(action) }
    }

    private static func runAll() {
        for action in actions.withLock({ $0 }) { action() }
    }
}
