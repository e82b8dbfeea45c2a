/// A set of media workers started together from one configuration and stopped together.
public final class WorkerGroup: Sendable {
    /// The workers, in CPU order of the configuration.
    public let workers: [MediaWorker]

    /// Starts one worker per CPU the configuration resolves to. If any worker fails to start,
    /// the ones already started are stopped and the error is thrown.
    public init(configuration: WorkerGroupConfiguration = WorkerGroupConfiguration()) throws(WorkerError) {
        let cpus = try CPUTopology.cpus(for: configuration.placement)
        var started: [MediaWorker] = []
        for (index, cpu) in cpus.enumerated() {
            do {
                started.append(try MediaWorker(index: index, cpu: cpu, settings: configuration.settings))
            } catch {
                for worker in started { worker.stop() }
                throw error
            }
        }
        workers = started
    }

    /// Stops every worker (see ``MediaWorker/stop()``) and joins their threads.
    public func stop() {
        for worker in workers { worker.stop() }
    }
}
