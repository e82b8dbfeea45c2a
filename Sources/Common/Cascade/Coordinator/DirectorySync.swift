import Logging
import MeshCluster
import MeshRTC
import Synchronization

/// Keeps the stream directory in Redis in step with what this node carries: streams
/// published here are registered (at once, and again every second so all of it returns after
/// a Redis restart) and unregistered once they end; every carried stream lists this node as
/// a carrier.
final class DirectorySync: Sendable {
    /// This node's id.
    let nodeID: String
    let redis: RedisClient
    let directory: StreamDirectory
    let logger: Logger
    /// Streams a publisher on this node registered in Redis, to unregister once they end.
    private let publishedHere = Mutex<Set<String>>([])

    init(nodeID: String, redis: RedisClient, directory: StreamDirectory, logger: Logger) {
        self.nodeID = nodeID
        self.redis = redis
        self.directory = directory
        self.logger = logger
    }

    /// A publisher on this node started `record`: it is registered and carried here at once.
    func streamPublished(_ record: StreamRecord) async {
        publishedHere.withLock { _ = $0.insert(record.name) }
        // A failure is repaired by the once-a-second duty, which registers again.
        do throws(RedisError) {
            try await directory.register(record)
            try await directory.addCarrier(stream: record.name, node: nodeID, now: WallClock.milliseconds())
        } catch {
            logger.info("mesh: registering '\(record.name)' failed (\(error)); retrying every second")
        }
    }

    /// (duty) Every carried stream is listed as carried here, records of streams published
    /// here are written again, and streams published here that ended are removed.
    func refresh(_ status: MeshDataStatus) async {
        guard redis.isAvailable else { return }
        let wall = WallClock.milliseconds()
        do throws(RedisError) {
            for stream in status.streams where stream.source != .none {
                if stream.source == .publisher {
                    publishedHere.withLock { _ = $0.insert(stream.record.name) }
                    try await directory.register(stream.record)
                }
                try await directory.addCarrier(stream: stream.record.name, node: nodeID, now: wall)
            }
            let carried = Set(status.streams.map(\.record.name))
            let ended = publishedHere.withLock { $0.subtracting(carried) }
            for stream in ended.sorted() {
                try await directory.unregister(stream)
                publishedHere.withLock { _ = $0.remove(stream) }
                logger.info("mesh: '\(stream)' ended; unregistered")
            }
        } catch {
            logger.debug("mesh: refreshing the stream directory failed: \(error)")
        }
    }
}
