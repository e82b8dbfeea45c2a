import MeshCluster
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control plane's background work as a service: refreshing the node's copy of revoked
/// tokens from Redis every 250 ms, and writing audit records to the audit stream. Shut down
/// after the HTTP server (no new records), before Redis: the writer first drains its queue
/// (for at most 2 s, so a Redis that stays away cannot hold the shutdown).
struct ControlPlaneService: Service {
    let revocations: TokenRevocations
    let audit: AuditLog

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [audit] in await audit.run() }
            await runUntilShutdownTurn { [revocations] in
                await revocations.run { Int64(Date().timeIntervalSince1970) }
            }
            audit.finish()
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
            }
            // Whichever ends first: the writer with an empty queue, or the 2 s bound.
            await group.next()
            group.cancelAll()
        }
    }
}
