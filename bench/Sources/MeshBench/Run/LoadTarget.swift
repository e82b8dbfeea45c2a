/// The server a scenario's load goes to: the Meshcast mesh or, for `versus`, Janus. The run
/// itself (ramp, churn, samples, report) is the same for both; what differs is here.
protocol LoadTarget: AnyObject, Sendable {
    /// "meshcast" or "janus", as reports name it.
    var name: String { get }
    /// The address the viewers' sockets bind (their host candidate), once publishers run.
    var viewerHost: String { get }
    /// The processes whose CPU and memory are sampled (and whose `/metrics` are read, if any).
    var nodesUnderTest: [MeshUnderTest.Node] { get }
    /// How the publishers feed the server.
    var feed: FeedKind { get }
    /// CPU seconds meshbench's feeding thread (the publishers' worker) has used so far, once
    /// publishers run; `nil` if unreadable.
    func feederCPUSeconds() -> Double?
    /// Starts one publisher per stream and returns once they send (or failed).
    func startPublishers(_ streams: [String], plan: PublisherPlan, clips: MediaClipSet) async throws
    /// Joins one more viewer of `stream` (the `index`-th) into `crowd`; a refusal is the
    /// viewer's failure, not a throw.
    func joinViewer(_ index: Int, stream: String, crowd: ViewerCrowd) async throws
    /// Joins several viewers at once (a join burst), their signaling exchanges side by side
    /// where the target can; `viewers` pairs each index with its stream.
    func joinViewers(_ viewers: [(index: Int, stream: String)], crowd: ViewerCrowd) async throws
    /// Makes viewer seat number `seat` leave (DELETE its session; churn).
    func leave(seat: Int, crowd: ViewerCrowd) async throws
    /// Applies a fault; returns what happened, for the log.
    func inject(_ action: FaultAction) async -> String
    /// Called once a second (session keepalives).
    func tick(elapsed: Double) async
    /// What the publishers sent and received.
    func publisherTallies() async -> [PublisherTally]
    /// Ends the viewers' sessions and stops the publishers.
    func finish(crowd: ViewerCrowd) async
}

extension LoadTarget {
    /// One after the other.
    func joinViewers(_ viewers: [(index: Int, stream: String)], crowd: ViewerCrowd) async throws {
        for viewer in viewers { try await joinViewer(viewer.index, stream: viewer.stream, crowd: crowd) }
    }
}
