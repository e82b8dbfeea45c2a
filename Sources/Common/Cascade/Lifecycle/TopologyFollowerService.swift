import ServiceLifecycle

/// The topology follower as a service: follows SIGHUP and the applied topology until its turn
/// in a graceful shutdown.
struct TopologyFollowerService: Service {
    let follower: TopologyFollower

    func run() async throws {
        await runUntilShutdownTurn { [follower] in await follower.run() }
    }
}
