import MeshCatalog
import MeshCluster
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control plane's background work as a service: refreshing the node's copy of revoked
/// tokens from Redis every 250 ms, writing audit records to the audit stream, and, when the
/// node has a catalog, copying that stream into `security_audit_log`. Shut down
/// after the HTTP server (no new records), before Redis: the writer first drains its queue
/// (for at most 2 s, so a Redis that stays away cannot hold the shutdown).
struct ControlPlaneService: Service {
    let revocations: TokenRevocations
    let audit: AuditLog
    var copier: AuditCatalogCopier?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [audit] in await audit.run() }
            await runUntilShutdownTurn { [revocations, copier] in
                await withTaskGroup(of: Void.self) { loops in
                    loops.addTask { await revocations.run { Int64(Date().timeIntervalSince1970) } }
                    if let copier { loops.addTask { await copier.run() } }
                }
            }
            await copier?.postgres.shutdown()
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
