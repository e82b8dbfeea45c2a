import MeshCatalog
import MeshCluster
import MeshControl
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control plane's background work as a service: refreshing the node's copy of revoked
/// tokens from Redis every 250 ms, writing audit records to the audit stream, and, when the
/// node has a catalog, copying that stream into `security_audit_log`; reporting `node.up` and
/// `node.down` (its own, and, through ``NodeDeathWatch``, that of nodes that died without a word)
/// and delivering the webhook outbox. Shut down
/// after the HTTP server (no new records), before Redis: the writer first drains its queue
/// (for at most 2 s, so a Redis that stays away cannot hold the shutdown).
struct ControlPlaneService: Service {
    let revocations: TokenRevocations
    let audit: AuditLog
    var copier: AuditCatalogCopier?
    var webhooks = WebhookEvents.none
    var deliverer: WebhookDeliverer?
    var deaths: NodeDeathWatch?

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [audit] in await audit.run() }
            webhooks.report(.nodeUp)
            await runUntilShutdownTurn { [revocations, copier, deliverer, deaths, webhooks] in
                await withTaskGroup(of: Void.self) { loops in
                    loops.addTask { await revocations.run { Int64(Date().timeIntervalSince1970) } }
                    if let copier { loops.addTask { await copier.run() } }
                    if let deliverer {
                        loops.addTask { await deliverer.run(hasReceivers: { webhooks.hasReceivers }) }
                    }
                    if let deaths { loops.addTask { await deaths.run() } }
                }
            }
            // Before Redis closes (it shuts after this service); another node delivers it.
            await deaths?.stopped()
            await webhooks.reportNow(.nodeDown)
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
