import Synchronization

/// Every nonce of an internal request this node accepted, kept for as long as its signature
/// could be presented again (until its time plus ``InternalRequestSignature/maxSkewSeconds``),
/// so that a replay of the same request is refused even within the allowed clock skew.
///
/// Only requests whose MAC verified reach it, so only holders of the cluster secret can fill it.
/// The memory is bounded by ``capacity``; when it is full of nonces still inside their window,
/// new requests are refused (``Verdict/full``) rather than old nonces forgotten: forgetting one
/// early would reopen exactly the replay this type exists to stop. Expired nonces are dropped
/// by time, in buckets of one second, so a check costs little even when the memory is full.
final class InternalNonceMemory: Sendable {
    /// What became of a nonce presented at `now`.
    enum Verdict: Equatable {
        /// First use: remembered, the request may proceed.
        case fresh
        /// Seen before within its window: the request is a replay.
        case replayed
        /// The memory holds ``InternalNonceMemory/capacity`` live nonces; nothing new is admitted.
        case full
    }

    /// The default bound: 100,000 nonces (a few MB), far above the internal API's rate (a few
    /// calls per link per minute) times the two-minute window.
    static let defaultCapacity = 100_000

    /// The most nonces remembered at once.
    let capacity: Int

    private struct State {
        var seen: Set<InternalRequestNonce> = []
        /// Nonces by the unix second after which they can no longer be replayed.
        var expiring: [Int64: [InternalRequestNonce]] = [:]
    }

    private let state = Mutex(State())

    /// An empty memory holding at most `capacity` nonces.
    init(capacity: Int = InternalNonceMemory.defaultCapacity) {
        self.capacity = capacity
    }

    /// Remembers `nonce` of a request signed at `signedAt` (unix seconds) unless it was seen
    /// before; `now` is this node's clock. The caller has already checked the time's skew.
    func admit(_ nonce: InternalRequestNonce, signedAt: Int64, now: Int64) -> Verdict {
        state.withLock { state in
            Self.forgetExpired(&state, now: now)
            guard !state.seen.contains(nonce) else { return .replayed }
            guard state.seen.count < capacity else { return .full }
            state.seen.insert(nonce)
            // A signature is accepted while |now - t| <= maxSkew, so until t + maxSkew inclusive.
            state.expiring[signedAt + InternalRequestSignature.maxSkewSeconds, default: []].append(nonce)
            return .fresh
        }
    }

    /// How many nonces are remembered now (tests).
    var count: Int { state.withLock { $0.seen.count } }

    /// Drops the buckets whose second has passed. A bucket's second is at most two skew
    /// windows ahead of the clock that filled it, so this walks about 120 keys at most.
    private static func forgetExpired(_ state: inout State, now: Int64) {
        for second in state.expiring.keys.filter({ $0 < now }) {
            for nonce in state.expiring.removeValue(forKey: second) ?? [] {
                state.seen.remove(nonce)
            }
        }
    }
}
