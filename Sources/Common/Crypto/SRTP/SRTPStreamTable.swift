/// Per-SSRC packet-index state for one SRTP context, in storage fixed at init.
///
/// Each SSRC has two tracks: RTP (48-bit index = ROC · 2¹⁶ + SEQ, RFC 3711 §3.3.1) and SRTCP
/// (31-bit explicit index, RFC 3711 §3.4), each with the highest index seen and a replay
/// bitmap of `replayWindow` packets (§3.3.2). The SSRCs live in an open-addressing table with
/// room for ``capacity`` of them; one more is ``SRTPError/tooManyStreams(limit:)``, never an
/// allocation. Nothing here allocates after init.
final class SRTPStreamTable {
    /// SSRCs one context can track.
    static let capacity = 64
    /// Twice the capacity, so probes stay short.
    private static let slotCount = 128

    /// Which of an SSRC's two index spaces.
    enum Track: Int {
        case rtp = 0
        case rtcp = 1
    }

    private let replayWindow: Int64
    /// A sender that may protect an index again (relay-link resends of identical packets).
    private let allowsRepeatedIndex: Bool
    /// 64-bit words per replay bitmap: the window rounded up to whole words.
    private let wordsPerWindow: Int
    private let ssrcs: UnsafeMutablePointer<UInt32>
    private let occupied: UnsafeMutablePointer<Bool>
    /// ROC set by the control plane for a track that has not seen a packet yet.
    private let initialRolloverCounter: UnsafeMutablePointer<UInt32>
    /// Per slot and track: the highest index accepted, or -1 before the first packet.
    private let highest: UnsafeMutablePointer<Int64>
    /// Per slot and track: bit (index mod window bits) set when that index was accepted.
    private let seen: UnsafeMutablePointer<UInt64>
    private var count = 0

    /// A table whose replay windows span `replayWindow` packets.
    init(replayWindow: Int, allowsRepeatedIndex: Bool = false) {
        self.replayWindow = Int64(replayWindow)
        self.allowsRepeatedIndex = allowsRepeatedIndex
        wordsPerWindow = (replayWindow + 63) / 64
        let slots = Self.slotCount
        ssrcs = .allocate(capacity: slots)
        ssrcs.initialize(repeating: 0, count: slots)
        occupied = .allocate(capacity: slots)
        occupied.initialize(repeating: false, count: slots)
        initialRolloverCounter = .allocate(capacity: slots)
        initialRolloverCounter.initialize(repeating: 0, count: slots)
        highest = .allocate(capacity: slots * 2)
        highest.initialize(repeating: -1, count: slots * 2)
        seen = .allocate(capacity: slots * 2 * wordsPerWindow)
        seen.initialize(repeating: 0, count: slots * 2 * wordsPerWindow)
    }

    deinit {
        ssrcs.deallocate()
        occupied.deallocate()
        initialRolloverCounter.deallocate()
        highest.deallocate()
        seen.deallocate()
    }

    /// The slot holding `ssrc`, or `nil` when it has no state yet.
    func lookup(_ ssrc: UInt32) -> Int? {
        var slot = Self.home(ssrc)
        for _ in 0..<Self.slotCount {
            guard occupied[slot] else { return nil }
            if ssrcs[slot] == ssrc { return slot }
            slot = (slot &+ 1) & (Self.slotCount - 1)
        }
        return nil
    }

    /// The slot holding `ssrc`, claimed with fresh state when it has none.
    func slot(for ssrc: UInt32) throws(SRTPError) -> Int {
        var slot = Self.home(ssrc)
        while occupied[slot] {
            if ssrcs[slot] == ssrc { return slot }
            slot = (slot &+ 1) & (Self.slotCount - 1)
        }
        // Never more than half full, so the probe above always reaches an empty slot.
        guard count < Self.capacity else { throw .tooManyStreams(limit: Self.capacity) }
        count += 1
        occupied[slot] = true
        ssrcs[slot] = ssrc
        return slot
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
        let last = highest[slot * 2]
        guard last >= 0 else { return Int64(initialRolloverCounter[slot]) << 16 | Int64(sequence) }
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
        let last = highest[slot * 2 + track.rawValue]
        guard last >= 0, index <= last else { return }
        guard last - index < replayWindow else { throw .replayOld }
        let (word, bit) = position(index, slot: slot, track: track)
        if seen[word] & bit != 0 && !allowsRepeatedIndex { throw .replayFail }
    }

    /// Records an authenticated (or just sent) `index`, sliding the window when it is newer.
    func accept(_ index: Int64, slot: Int, track: Track) {
        let cell = slot * 2 + track.rawValue
        let last = highest[cell]
        if index > last {
            let base = seen + cell * wordsPerWindow
            let distance = last < 0 ? Int64.max : index - last
            if distance >= Int64(wordsPerWindow * 64) {
                base.update(repeating: 0, count: wordsPerWindow)
            } else {
                // Forget the indices the window slides over (those `bits` behind the new ones).
                var stale = last + 1
                while stale <= index {
                    let (word, bit) = position(stale, slot: slot, track: track)
                    seen[word] &= ~bit
                    stale += 1
                }
            }
            highest[cell] = index
        }
        let (word, bit) = position(index, slot: slot, track: track)
        seen[word] |= bit
    }

    /// The next SRTCP index a sender uses for `slot` (1, 2, … as libsrtp numbers them), or
    /// ``SRTPError/keyExpired`` once the 31-bit space is spent (RFC 3711 §9.2).
    func nextRTCPIndex(slot: Int) throws(SRTPError) -> Int64 {
        let next = max(highest[slot * 2 + Track.rtcp.rawValue], 0) + 1
        guard next <= 0x7FFF_FFFF else { throw .keyExpired }
        return next
    }

    /// Sets the RTP rollover counter of `ssrc` (RFC 3711 §3.3.1): for the first packet when the
    /// stream has none yet, or in place of the current one, keeping the last sequence number.
    func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        let slot = try slot(for: ssrc)
        let cell = slot * 2
        initialRolloverCounter[slot] = rolloverCounter
        let last = highest[cell]
        guard last >= 0 else { return }
        // The old indices no longer compare with the new ones: start the window afresh.
        (seen + cell * wordsPerWindow).update(repeating: 0, count: wordsPerWindow)
        highest[cell] = Int64(rolloverCounter) << 16 | (last & 0xFFFF)
        accept(highest[cell], slot: slot, track: .rtp)
    }

    private func position(_ index: Int64, slot: Int, track: Track) -> (word: Int, bit: UInt64) {
        let bitsInWindow = Int64(wordsPerWindow * 64)
        let offset = Int(index % bitsInWindow)
        let word = (slot * 2 + track.rawValue) * wordsPerWindow + offset / 64
        return (word, 1 << UInt64(offset % 64))
    }

    /// Fibonacci hashing of the SSRC to a home slot (SSRCs are random, but not trusted to be).
    private static func home(_ ssrc: UInt32) -> Int {
        Int((ssrc &* 0x9E37_79B1) >> 25)
    }
}
