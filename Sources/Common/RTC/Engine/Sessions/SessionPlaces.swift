/// Where a session lives and what it was created for, recorded when its worker is chosen.
struct SessionPlace: Equatable {
    /// The worker that owns it.
    let worker: Int
    /// The stream it publishes or watches.
    let stream: String
    /// Publisher or viewer.
    let role: NegotiationRole
}

/// Where each session lives, and which worker takes the next one (issue 12).
///
/// A worker wakes for every packet of every stream it carries. Dealt round the workers in
/// turn, a stream's sessions wake all of them for each of its packets however few viewers it
/// has, and on a virtual machine a sleep and wake-up costs a worker 20 to 35 µs of CPU
/// (meshbench's `WakeUpProbe`), as much as forwarding five packets. So a stream's sessions go
/// to its home worker (where its first session went) while that worker holds fewer than
/// ``streamFill`` sessions; past that, and for a stream's first session, to the worker with
/// the fewest sessions, the highest-numbered on a tie (worker 0 also runs the TURN listeners
/// and the stream expiry). A busy stream thus ends up spread evenly, and the cross-worker
/// notices it then pays for are shared by many viewers per packet. On a node fed over relay
/// links (an edge), a stream's first session prefers the least loaded worker that receives an
/// upstream link: the stream's packets will most likely arrive there, and its viewers then
/// wake no other worker. With ``streamFill`` 0 every session goes to the next worker in turn,
/// as before.
struct SessionPlaces {
    /// Sessions a stream's home worker takes before the stream spills over.
    static let defaultStreamFill = 100

    let streamFill: Int
    private var places: [String: SessionPlace] = [:]
    private var sessionsOnWorker: [Int]
    /// Each stream's home worker and its sessions on every worker, while it has any.
    private var homes: [String: (worker: Int, sessions: Int)] = [:]
    private var nextInTurn = 0
    /// The worker of each upstream relay link end (receiving), by link id.
    private var upstreamLinks: [String: Int] = [:]

    init(workers: Int, streamFill: Int = Self.defaultStreamFill) {
        precondition(workers > 0, "an engine has at least one worker")
        sessionsOnWorker = Array(repeating: 0, count: workers)
        self.streamFill = max(0, streamFill)
    }

    /// The place of session `id`, if it has one.
    subscript(id: String) -> SessionPlace? { places[id] }

    /// Sessions placed on each worker and not yet removed.
    var sessionsPerWorker: [Int] { sessionsOnWorker }

    /// Chooses a worker for the session `address.id` and records it there.
    mutating func place(_ address: SessionAddress) -> Int {
        let worker = choose(for: address.stream)
        places[address.id] = SessionPlace(worker: worker, stream: address.stream, role: address.role)
        sessionsOnWorker[worker] += 1
        homes[address.stream, default: (worker, 0)].sessions += 1
        return worker
    }

    /// Forgets session `id` (it ended, or was never created); its place, if it had one.
    @discardableResult
    mutating func remove(id: String) -> SessionPlace? {
        guard let place = places.removeValue(forKey: id) else { return nil }
        sessionsOnWorker[place.worker] -= 1
        if let home = homes[place.stream] {
            homes[place.stream] = home.sessions > 1 ? (home.worker, home.sessions - 1) : nil
        }
        return place
    }

    /// An upstream relay link end opened on `worker`.
    mutating func upstreamLinkOpened(_ id: String, on worker: Int) {
        precondition(sessionsOnWorker.indices.contains(worker))
        upstreamLinks[id] = worker
    }

    /// A relay link end closed (an upstream one or not).
    mutating func linkEnded(_ id: String) {
        upstreamLinks.removeValue(forKey: id)
    }

    private mutating func choose(for stream: String) -> Int {
        if streamFill == 0 {
            defer { nextInTurn = (nextInTurn + 1) % sessionsOnWorker.count }
            return nextInTurn
        }
        if let home = homes[stream]?.worker, sessionsOnWorker[home] < streamFill { return home }
        if homes[stream] == nil,
            let fed = leastLoaded(among: Set(upstreamLinks.values)), sessionsOnWorker[fed] < streamFill
        {
            return fed
        }
        return leastLoaded(among: sessionsOnWorker.indices) ?? 0
    }

    /// The worker with the fewest sessions among `workers`, the highest-numbered on a tie.
    private func leastLoaded(among workers: some Sequence<Int>) -> Int? {
        workers.max { (sessionsOnWorker[$1], $0) < (sessionsOnWorker[$0], $1) }
    }
}
