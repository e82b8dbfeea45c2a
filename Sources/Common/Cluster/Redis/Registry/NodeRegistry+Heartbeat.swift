extension NodeRegistry {
    /// Sends `status()` every `interval` (``refreshInterval``) until the task is cancelled: the
    /// whole status when it changed or may be missing from Redis, else only a refresh of its
    /// expiry (``HeartbeatPlan``), so four beats a second cost one hash rewrite at most.
    ///
    /// A failed heartbeat (Redis away) is reported to `onError` and the loop goes on, so the
    /// node re-registers by itself on the first beat after Redis returns. `onDraining` hears
    /// the drain verdict of every successful beat.
    public func runHeartbeats(
        every interval: Duration = NodeRegistry.refreshInterval,
        status: @Sendable () -> NodeStatus,
        onDraining: @Sendable (Bool) -> Void = { _ in },
        onError: @Sendable (RedisError) -> Void = { _ in }
    ) async {
        var plan = HeartbeatPlan()
        while !Task.isCancelled {
            do throws(RedisError) {
                onDraining(try await beat(status(), plan: &plan))
            } catch {
                plan.lost()
                onError(error)
            }
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled
            }
        }
    }

    /// One beat as `plan` says; returns the drain verdict. A refresh that finds the entry gone
    /// writes the whole status at once rather than a beat later.
    func beat(_ status: NodeStatus, plan: inout HeartbeatPlan) async throws(RedisError) -> Bool {
        if plan.next(status) == .touch, let draining = try await touch(id: status.id) { return draining }
        let draining = try await heartbeat(status)
        plan.wrote(status)
        return draining
    }
}

/// Decides, beat by beat, whether a node writes its whole status or only refreshes the expiry
/// of the one Redis holds: whole when the status changed since the last write that succeeded
/// (when it was taken does not count), or when the entry may be missing (the first beat,
/// after a failure).
struct HeartbeatPlan: Sendable, Equatable {
    /// What one beat sends.
    enum Beat: Sendable, Equatable {
        /// The whole status (`NodeRegistry.heartbeat`).
        case write
        /// Only a refresh of the expiry (`NodeRegistry.touch`).
        case touch
    }

    private var written: NodeStatus?

    /// What to send for `status`.
    func next(_ status: NodeStatus) -> Beat {
        guard var written else { return .write }
        written.updatedAt = status.updatedAt
        return written == status ? .touch : .write
    }

    /// `status` was written whole.
    mutating func wrote(_ status: NodeStatus) {
        written = status
    }

    /// A beat failed: Redis may have lost the entry, so the next beat writes it whole.
    mutating func lost() {
        written = nil
    }
}
