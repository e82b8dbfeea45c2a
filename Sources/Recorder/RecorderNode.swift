import Foundation
import Logging
import MeshCascade
import MeshCatalog
import MeshCluster
import MeshCrypto

/// The recorder role: pulls the streams it records over relay links like an edge (it is a leaf
/// of each stream's tree; NACKs and key-frame requests go upstream hop by hop), writes them as
/// Matroska/WebM segments under its `storage` path, keeps the catalog in PostgreSQL through the
/// outbox, and serves `/v1/recordings` (``RecordingRoutes``). Needs Redis (it is mesh only)
/// and the catalog's URL in the variable the topology names (`secrets.postgres`, default
/// `MESHCAST_POSTGRES_URL`).
public struct RecorderNode: RoleNode {
    /// No publishers and no WHEP viewers; a leaf that pulls the streams it records; mesh only.
    public static let policy = RolePolicy(
        role: .recorder, acceptsPublishers: false, servesViewers: false, needsRedis: true, position: .leaf,
        drainEffect: "its recordings close their segments; new paths avoid it.")

    /// Neither publishers nor WHEP viewers: it consumes the streams it records.
    public static let intake: RoleIntake = .refusesClients

    let runner: MeshNodeRunner

    /// A recorder for `settings` from `topology` (read from `topologyPath`). The storage path
    /// comes from the node's `storage` entry; the catalog URL from the environment.
    public init(settings: NodeSettings, topology: Topology, topologyPath: String?, logger: Logger) {
        let storage = settings.node.storage ?? RecordingStorage(path: "recordings")
        let catalogVariable = topology.secrets.catalogURLVariable
        let catalogURL = ProcessInfo.processInfo.environment[catalogVariable]
        let nodeID = settings.node.id
        runner = MeshNodeRunner(
            settings: settings, intake: Self.intake, topology: topology, topologyPath: topologyPath, logger: logger
        ) { parts in
            guard let catalogURL, !catalogURL.isEmpty else {
                throw NodeRunRefusal(
                    "\(nodeID) is a recorder and needs its catalog: set \(catalogVariable) to a PostgreSQL URL "
                        + "(meshcast up starts one when it is unset)")
            }
            // On storage every recorder shares, each writes under its own folder: a recorder that
            // restarts recovers its own `.part` files, never another's open ones.
            let root = URL(fileURLWithPath: storage.path).standardizedFileURL.path
            let path = storage.shared ? "\(root)/\(nodeID)" : root
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw NodeRunRefusal("\(nodeID) cannot create its storage directory \(path): \(error)")
            }
            let catalog = try RecordingCatalog(
                client: RecordingCatalog.client(url: catalogURL),
                journal: URL(fileURLWithPath: "\(path)/catalog-journal.jsonl"), logger: logger)
            let webhooks = RecordingWebhooks(events: parts.webhooks)
            catalog.observe { webhooks.handle($0) }
            let recorder = Recorder(
                parts: parts, storage: path, segmentSeconds: storage.segmentSeconds,
                sharedRoot: storage.shared ? root : nil, catalog: catalog)
            let routes = RecordingRoutes(recorder: recorder)
            let ingest = IngestRoutes(recorder: recorder)
            let sharing = storage.shared ? "; storage shared with the other recorders: MP4 jobs of any of them" : ""
            logger.info("\(nodeID) records into \(path), segments of \(storage.segmentSeconds) s\(sharing)")
            return RoleAddOn(
                routes: { router, gate in
                    ingest.register(on: router, gate: gate)
                    routes.register(on: router, gate: gate)
                }, service: recorder, metrics: { recorder.metricsText() })
        }
    }

    /// Runs until SIGINT or SIGTERM (see ``MeshNodeRunner/run()``).
    public func run() async throws {
        try await runner.run()
    }
}
