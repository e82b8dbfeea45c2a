/// Per-SSRC packet-index state for one SRTP context.
///
/// Each SSRC has two tracks: RTP (48-bit index = ROC · 2¹⁶ + SEQ, RFC 3711 §3.3.1) and SRTCP
/// (31-bit explicit index, RFC 3711 §3.4), each with the highest index seen and a replay
/// bitmap of `replayWindow` packets (§3.3.2). The SSRCs live in an open-addressing table that
/// starts with room for `initialCapacity` of them (a viewer's context sees two to four SSRCs)
/// and doubles when a new SSRC finds it full, up to its `limit` (``capacity`` for a WebRTC
/// session's context); one more is ``SRTPError/tooManyStreams(limit:)``. Only claiming a new
/// SSRC beyond the current room allocates; packets of known SSRCs never do.
final class SRTPStreamTable {
    /// SSRCs a WebRTC session's context tracks (the default limit): a peer sends a handful, and
    /// one that invents SSRCs must not grow the table without end.
    static let capacity = 64
    /// SSRCs a new table has room for before it first grows.
    static let defaultInitialCapacity = 4

    /// Which of an SSRC's two index spaces.
    enum Track: Int {
        case rtp = 0
        case rtcp = 1
    }

    /// The per-slot arrays, all sized for `slotCount` slots.
    private struct Storage {
        /// Twice the SSRCs it has room for, so probes stay short; a power of two.
        let slotCount: Int
        let ssrcs: UnsafeMutablePointer<UInt32>
        let occupied: UnsafeMutablePointer<Bool>
        /// ROC set by the control plane for a track that has not seen a packet yet.
        let initialRolloverCounter: UnsafeMutablePointer<UInt32>
        /// Per slot and track: the highest index accepted, or -1 before the first packet.
        let highest: UnsafeMutablePointer<Int64>
        /// Per slot and track: bit (index mod window bits) set when that index was accepted.
        let seen: UnsafeMutablePointer<UInt64>

        init(slotCount: Int, wordsPerWindow: Int) {
            self.slotCount = slotCount
            ssrcs = .allocate(capacity: slotCount)
            ssrcs.initialize(repeating: 0, count: slotCount)
            occupied = .allocate(capacity: slotCount)
            occupied.initialize(repeating: false, count: slotCount)
            initialRolloverCounter = .allocate(capacity: slotCount)
            initialRolloverCounter.initialize(repeating: 0, count: slotCount)
            highest = .allocate(capacity: slotCount * 2)
            highest.initialize(repeating: -1, count: slotCount * 2)
            seen = .allocate(capacity: slotCount * 2 * wordsPerWindow)
            seen.initialize(repeating: 0, count: slotCount * 2 * wordsPerWindow)
        }

        func deallocate() {
            ssrcs.deallocate()
            occupied.deallocate()
            initialRolloverCounter.deallocate()
            highest.deallocate()
            seen.deallocate()
        }
    }

    private let replayWindow: Int64
    /// A sender that may protect an index again (relay-link resends of identical packets).
    private let allowsRepeatedIndex: Bool
    /// 64-bit words per replay bitmap: the window rounded up to whole words.
    private let wordsPerWindow: Int
    private var storage: Storage
    private var count = 0
    /// The most SSRCs this table takes.
    let limit: Int

    /// SSRCs the table has room for before it grows again.
    var room: Int { storage.slotCount / 2 }

    /// A table whose replay windows span `replayWindow` packets, with room for
    /// `initialCapacity` SSRCs (rounded up to a power of two, at most `limit`) at first, that
    /// takes up to `limit` SSRCs.
    init(
        replayWindow: Int, allowsRepeatedIndex: Bool = false, initialCapacity: Int = defaultInitialCapacity,
        limit: Int = capacity
    ) {
        self.replayWindow = Int64(replayWindow)
        self.allowsRepeatedIndex = allowsRepeatedIndex
        self.limit = max(limit, 1)
        wordsPerWindow = (replayWindow + 63) / 64
        var room = 1
        while room < min(max(initialCapacity, 1), self.limit) { room <<= 1 }
        storage = Storage(slotCount: room * 2, wordsPerWindow: wordsPerWindow)
    }

    deinit {
        storage.deallocate()
    }

    /// The slot holding `ssrc`, or `nil` when it has no state yet.
    func lookup(_ ssrc: UInt32) -> Int? {
        let storage = storage
        var slot = home(ssrc)
        for _ in 0..<storage.slotCount {
            guard storage.occupied[slot] else { return nil }
            if storage.ssrcs[slot] == ssrc { return slot }
            slot = (slot &+ 1) & (storage.slotCount - 1)
        }
        return nil
    }

    /// The slot holding `ssrc`, claimed with fresh state when it has none.
    /// Slots returned before may move when this claims a new SSRC: use a slot before the next claim.
    func slot(for ssrc: UInt32) throws(SRTPError) -> Int {
        if let known = lookup(ssrc) { return known }
        guard count < limit else { throw .tooManyStreams(limit: limit) }
        if count == room { grow() }
        // Never more than half full, so the probe always reaches an empty slot.
        var slot = home(ssrc)
        while storage.occupied[slot] { slot = (slot &+ 1) & (storage.slotCount - 1) }
        count += 1
        storage.occupied[slot] = true
        storage.ssrcs[slot] = ssrc
        return slot
    }

    /// Doubles the slots and moves every SSRC's state to its slot in the new storage.
    private func grow() {
        let old = storage
        let new = Storage(slotCount: old.slotCount * 2, wordsPerWindow: wordsPerWindow)
        storage = new
        for from in 0..<old.slotCount where old.occupied[from] {
            var to = home(old.ssrcs[from])
            while new.occupied[to] { to = (to &+ 1) & (new.slotCount - 1) }
            new.occupied[to] = true
            new.ssrcs[to] = old.ssrcs[from]
            new.initialRolloverCounter[to] = old.initialRolloverCounter[from]
            for track in 0..<2 {
                new.highest[to * 2 + track] = old.highest[from * 2 + track]
                (new.seen + (to * 2 + track) * wordsPerWindow).update(
                    from: old.seen + (from * 2 + track) * wordsPerWindow, count: wordsPerWindow)
            }
        }
        old.deallocate()
    }

    /// `known` when a look-up already found the slot, else the slot claimed for `ssrc`.
    func slot(for ssrc: UInt32, known: Int?) throws(SRTPError) -> Int {
        if let known { return known }
        return try slot(for: ssrc)
    }

    /// RFC 3711 §3.3.1: the packet index a sequence number most likely stands for, given the
    /// highest index seen (`slot` `nil`: a stream with no state, so ROC 0), then the replay
    /// check of §3.3.2 against it. Does not record the packet; ``accept(_:slot:track:)`` does.
    func rtpIndex(sequence: UInt16, slot: Int?) throws(SRTPError) -> Int64 {
        guard let slot else { return Int64(sequence) }
        let storage = storage
        let last = storage.highest[slot * 2]
        guard last >= 0 else { return Int64(storage.initialRolloverCounter[slot]) << 16 | Int64(sequence) }
        let rolloverCounter = last >> 16
        let lastSequence = last & 0xFFFF
        let sequence = Int64(sequence)
        var guess = rolloverCounter
        if lastSequence < 32768 {
            if sequence - lastSequence > 32768 { guess -= 1 }
        } else if lastSequence - 32768 > sequence {
            guess += 1
        }
        // Before the stream's first ROC (older than anything accepted), or past 2^32 rollovers.
        guard guess >= 0 else { throw .replayOld }
        guard guess <= Int64(UInt32.max) else { throw .keyExpired }
        let index = guess << 16 | sequence
        try check(index, slot: slot, track: .rtp)
        return index
    }

    /// RFC 3711 §3.3.2: throws when `index` was already accepted or is older than the window.
    func check(_ index: Int64, slot: Int?, track: Track) throws(SRTPError) {
        guard let slot else { return }
        let storage = storage
        let last = storage.highest[slot * 2 + track.rawValue]
        guard last >= 0, index <= last else { return }
        guard last - index < replayWindow else { throw .replayOld }
        let (word, bit) = position(index, slot: slot, track: track)
        if storage.seen[word] & bit != 0 && !allowsRepeatedIndex { throw .replayFail }
    }

    /// Records an authenticated (or just sent) `index`, sliding the window when it is newer.
    func accept(_ index: Int64, slot: Int, track: Track) {
        // One read of the storage (pointers into it are written): no exclusivity check per word.
        let storage = storage
        let cell = slot * 2 + track.rawValue
        let last = storage.highest[cell]
        if index > last {
            let base = storage.seen + cell * wordsPerWindow
            let distance = last < 0 ? Int64.max : index - last
            if distance >= Int64(wordsPerWindow * 64) {
                base.update(repeating: 0, count: wordsPerWindow)
            } else {
                // Forget the indices the window slides over (those `bits` behind the new ones).
                var stale = last + 1
                while stale <= index {
                    let (word, bit) = position(stale, slot: slot, track: track)
                    storage.seen[word] &= ~bit
                    stale += 1
                }
            }
            storage.highest[cell] = index
        }
        let (word, bit) = position(index, slot: slot, track: track)
        storage.seen[word] |= bit
    }

    /// The next SRTCP index a sender uses for `slot` (1, 2, … as libsrtp numbers them), or
    /// ``SRTPError/keyExpired`` once the 31-bit space is spent (RFC 3711 §9.2).
    func nextRTCPIndex(slot: Int) throws(SRTPError) -> Int64 {
        let next = max(storage.highest[slot * 2 + Track.rtcp.rawValue], 0) + 1
        guard next <= 0x7FFF_FFFF else { throw .keyExpired }
        return next
    }

    /// Sets the RTP rollover counter of `ssrc` (RFC 3711 §3.3.1): for the first packet when the
    /// stream has none yet, or in place of the current one, keeping the last sequence number.
    func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        let slot = try slot(for: ssrc)
        let cell = slot * 2
        storage.initialRolloverCounter[slot] = rolloverCounter
        let last = storage.highest[cell]
        guard last >= 0 else { return }
        // The old indices no longer compare with the new ones: start the window afresh.
        (storage.seen + cell * wordsPerWindow).update(repeating: 0, count: wordsPerWindow)
        storage.highest[cell] = Int64(rolloverCounter) << 16 | (last & 0xFFFF)
        accept(storage.highest[cell], slot: slot, track: .rtp)
    }

    private func position(_ index: Int64, slot: Int, track: Track) -> (word: Int, bit: UInt64) {
        let bitsInWindow = Int64(wordsPerWindow * 64)
        let offset = Int(index % bitsInWindow)
        let word = (slot * 2 + track.rawValue) * wordsPerWindow + offset / 64
        return (word, 1 << UInt64(offset % 64))
    }

    /// Fibonacci hashing of the SSRC to a home slot (SSRCs are random, but not trusted to be):
    /// the top bits of the product, as many as index the slots.
    private func home(_ ssrc: UInt32) -> Int {
        Int((ssrc &* 0x9E37_79B1) >> UInt32(32 - storage.slotCount.trailingZeroBitCount))
    }
}
