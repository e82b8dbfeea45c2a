extension NodeRegistry {
    /// Sends `status()` every `interval` until the task is cancelled.
    ///
    /// A failed heartbeat (Redis away) is reported to `onError` and the loop goes on, so the
    /// node re-registers by itself on the first beat after Redis returns. `onDraining` hears
    /// the drain verdict of every successful beat.
    public func runHeartbeats(
        every interval: Duration = .seconds(1),
        status: @Sendable () -> NodeStatus,
        onDraining: @Sendable (Bool) -> Void = { _ in },
        onError: @Sendable (RedisError) -> Void = { _ in }
    ) async {
        while !Task.isCancelled {
            do throws(RedisError) {
                onDraining(try await heartbeat(status()))
            } catch {
                onError(error)
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled
            }
        }
    }
}
