import ServiceLifecycle

/// Runs `work` until this service's graceful shutdown is triggered (cancelling `work` then),
/// and returns only once it has been. Work that ends by itself earlier must not end its
/// service early: the coordinator's event stream ends when the engine's turn ends the sessions,
/// and a service group takes a service that returns before its own turn for a failure and
/// cancels the services still running, which would lose the shutdown order.
func runUntilShutdownTurn(_ work: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown { await work() }
    // Throws only when the group was cancelled; then the stop steps run at once.
    try? await gracefulShutdown()
}
