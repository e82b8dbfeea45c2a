import MeshWire
import Synchronization

/// What every ``TURNServer`` of one node shares (issue 13, item 6: a server per media worker):
/// the relay-port pool, the allocation counts behind the 486 quotas (per credential id and per
/// node), the ended credentials, the sessions that live here, the alternate server and the
/// 401 limiter. Each server keeps its own allocations, so relaying a packet touches nothing
/// here; only Allocate, an allocation's end, an authenticated request's ended-credential check
/// and unauthenticated answers take the lock, briefly.
public final class TURNNodeLedger: Sendable {
    struct State {
        var relayPorts: TURNRelayPorts
        var challenges: TURNChallengeLimiter
        var perCredential: [[UInt8]: Int] = [:]
        var allocations = 0
        var ended = TURNEndedCredentials()
        var sessionsHere: Set<[UInt8]> = []
        var alternates: TURNAlternates?
    }

    /// Why an allocation could not be counted in.
    public enum Refusal: Error, Equatable {
        /// A quota (per credential id or per node) is full: 486 (RFC 8656 §7.2).
        case quota
        /// No relay port is free, or the RESERVATION-TOKEN is unknown or spent: 508.
        case noRelayAddress
    }

    private let state: Mutex<State>
    /// The families the pool hands out (fixed at creation, read without the lock).
    private let families: Set<STUNAddressFamily>

    /// A ledger over the relay-port pool `relayPorts`, allowing `challengesPerSourcePerSecond`
    /// unauthenticated answers per source IP per second across all servers sharing it.
    public init(relayPorts: TURNRelayPorts, challengesPerSourcePerSecond: Int = 10) {
        families = Set([STUNAddressFamily.ipv4, .ipv6].filter { relayPorts.supports($0) })
        state = Mutex(
            State(
                relayPorts: relayPorts,
                challenges: TURNChallengeLimiter(perSourcePerSecond: challengesPerSourcePerSecond)))
    }

    /// Whether relayed addresses of `family` can be handed out at all (440 when not).
    public func supports(_ family: STUNAddressFamily) -> Bool { families.contains(family) }

    /// Live allocations on every server sharing this ledger.
    public var allocationCount: Int { state.withLock { $0.allocations } }

    /// Counts a new allocation for `credentialID` and takes its relayed address (from the
    /// reservation `token`, else from the pool), all at once so that two workers cannot both
    /// take the last slot.
    func admit(
        credentialID: [UInt8], limits: TURNServerConfiguration, family: STUNAddressFamily, token: UInt64?,
        even: Bool, reserveNext: Bool, now: TURNInstant
    ) -> Result<(address: STUNTransportAddress, token: UInt64?), Refusal> {
        state.withLock { state in
            guard (state.perCredential[credentialID] ?? 0) < limits.maxAllocationsPerCredential,
                state.allocations < limits.maxAllocationsPerNode
            else { return .failure(.quota) }
            let taken: (address: STUNTransportAddress, token: UInt64?)?
            if let token {
                taken = state.relayPorts.redeem(token, now: now).map { ($0, nil) }
            } else {
                taken = state.relayPorts.take(family, even: even, reserveNext: reserveNext, now: now)
            }
            guard let taken else { return .failure(.noRelayAddress) }
            state.perCredential[credentialID, default: 0] += 1
            state.allocations += 1
            return .success(taken)
        }
    }

    /// An allocation admitted with ``admit(credentialID:limits:family:token:even:reserveNext:now:)``
    /// ended: its relayed address returns to the pool and its counts go down.
    func release(credentialID: [UInt8], relayed: STUNTransportAddress) {
        state.withLock { state in
            state.relayPorts.release(relayed)
            let remaining = (state.perCredential[credentialID] ?? 1) - 1
            state.perCredential[credentialID] = remaining > 0 ? remaining : nil
            state.allocations = max(0, state.allocations - 1)
        }
    }

    /// Whether the credential id `id` holds an allocation on any server.
    func hasAllocations(credentialID id: [UInt8]) -> Bool {
        state.withLock { $0.perCredential[id] != nil }
    }

    /// Remembers that the session `id` ended: its credential gets 401 from now on.
    func sessionEnded(_ id: [UInt8], now: TURNInstant) {
        state.withLock { state in
            state.ended.insert(id, now: now)
            state.sessionsHere.remove(id)
        }
    }

    /// Whether the session `id` has ended.
    func hasEnded(_ id: [UInt8], now: TURNInstant) -> Bool {
        state.withLock { $0.ended.contains(id, now: now) }
    }

    /// Notes that the session `id` lives on this node, unless it already ended.
    func sessionStarted(_ id: [UInt8], now: TURNInstant) {
        state.withLock { state in
            guard !state.ended.contains(id, now: now) else { return }
            state.sessionsHere.insert(id)
        }
    }

    /// Where a new Allocate from `client` with the credential id `id` is sent instead of
    /// served: the alternate for the client's address, unless the session lives here.
    func alternate(forCredentialID id: [UInt8], client: STUNIPAddress) -> STUNTransportAddress? {
        state.withLock { state in
            guard let alternates = state.alternates, !state.sessionsHere.contains(id) else { return nil }
            return alternates.alternate(for: client)
        }
    }

    /// Where new Allocates go (300) by the client's address, or `nil` when they are served here.
    public var alternates: TURNAlternates? {
        get { state.withLock { $0.alternates } }
        set { state.withLock { $0.alternates = newValue } }
    }

    /// Whether `source` may get another unauthenticated answer at `now`; counts it when so.
    func allowChallenge(to source: STUNIPAddress, now: TURNInstant) -> Bool {
        state.withLock { $0.challenges.allow(source, now: now) }
    }
}
