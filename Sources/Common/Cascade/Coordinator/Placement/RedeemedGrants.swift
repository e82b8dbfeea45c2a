/// The ids of placement grants this node served, each until its grant expires, so that a grant
/// copied from a URL is good once. Grants name their node, so one node's memory is enough.
struct RedeemedGrants: Sendable {
    /// What ``remember(_:until:now:)`` found.
    enum Outcome: Equatable {
        /// First use: remembered now.
        case new
        /// Used before.
        case seen
        /// The memory is full of unexpired grants.
        case full
    }

    /// The most ids held at once.
    let capacity: Int
    private var expiries: [String: UInt64] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Remembers `id` until `expiresAt` (wall-clock ms) unless it is known; expired ids are
    /// forgotten first, since their grants are refused as expired anyway.
    mutating func remember(_ id: String, until expiresAt: UInt64, now: UInt64) -> Outcome {
        if let known = expiries[id], known > now { return .seen }
        if expiries.count >= capacity { expiries = expiries.filter { $0.value > now } }
        guard expiries.count < capacity else { return .full }
        expiries[id] = expiresAt
        return .new
    }
}
