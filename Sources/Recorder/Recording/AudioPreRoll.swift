/// The last audio frames of one track, kept so that a new segment can start its audio with the
/// frames just before its start (``SegmentSeries``): an Opus decoder that starts cold renders
/// its first frames attenuated (CELT predicts each frame's band energies from the previous
/// frame's, RFC 6716 §4.3.2.1), so a segment whose audio begins at its first video frame plays
/// a beep there late and quiet. RFC 7845 §4.6 asks for 80 ms decoded and thrown away first.
///
/// A fixed ring: ``capacity`` frames of up to ``frameBytes`` each (RFC 6716 §3.4 R5: no frame
/// is longer than 1275 bytes), so keeping a frame allocates nothing.
struct AudioPreRoll {
    /// Frames kept: 80 ms of 2.5 ms frames, the shortest Opus has.
    static let capacity = 32
    /// The longest frame kept; a longer one empties the ring (it is not Opus as RFC 6716 sends it).
    static let frameBytes = 1276

    private var storage: [UInt8]
    private var walls: [Int64]
    private var lengths: [Int]
    /// The slot of the oldest frame, and how many are kept.
    private var head = 0
    private(set) var count = 0

    init() {
        storage = Array(repeating: 0, count: Self.capacity * Self.frameBytes)
        walls = Array(repeating: 0, count: Self.capacity)
        lengths = Array(repeating: 0, count: Self.capacity)
    }

    /// Keeps a frame at `wall` (ns), dropping the oldest when full.
    mutating func keep(wall: Int64, frame: UnsafeRawBufferPointer) {
        guard frame.count <= Self.frameBytes else {
            count = 0
            return
        }
        let slot = (head + count) % Self.capacity
        if count == Self.capacity {
            head = (head + 1) % Self.capacity
        } else {
            count += 1
        }
        walls[slot] = wall
        lengths[slot] = frame.count
        guard let source = frame.baseAddress else { return }
        storage.withUnsafeMutableBytes { bytes in
            bytes.baseAddress.map { ($0 + slot * Self.frameBytes).copyMemory(from: source, byteCount: frame.count) }
        }
    }

    /// Calls `body` with each kept frame at or after `wall`, oldest first.
    func forEach(since wall: Int64, _ body: (Int64, UnsafeRawBufferPointer) -> Void) {
        storage.withUnsafeBytes { bytes in
            for index in 0..<count {
                let slot = (head + index) % Self.capacity
                guard walls[slot] >= wall else { continue }
                body(
                    walls[slot],
                    UnsafeRawBufferPointer(
                        rebasing: bytes[(slot * Self.frameBytes)..<(slot * Self.frameBytes + lengths[slot])]))
            }
        }
    }
}
