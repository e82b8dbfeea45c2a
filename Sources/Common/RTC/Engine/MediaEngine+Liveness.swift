extension MediaEngine {
    /// Each media loop's time since its last tick, read from the workers' atomics without
    /// posting anything to the loops: a stuck loop would never answer a message.
    public func liveness() async -> NodeLiveness {
        let now = clock.now()
        return NodeLiveness(
            workers: workers.map { media in
                let last = media.lastTurn.load(ordering: .relaxed)
                let since = now > last ? Double(now - last) / 1e9 : 0
                return NodeLiveness.Worker(worker: media.index, sinceTurnSeconds: since)
            })
    }
}
