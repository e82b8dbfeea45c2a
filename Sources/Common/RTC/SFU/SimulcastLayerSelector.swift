/// Picks the simulcast layer a viewer should get from the layers' measured bitrates and the
/// viewer's bandwidth estimate, with hysteresis so that an estimate near a boundary does not
/// flap between layers.
///
/// Layers are named by their index in the publisher's SDP, and ranked by ``order`` (what they
/// carry: ``LayerOrder``), so "up" means a larger picture whatever order the rids came in. A
/// layer whose bitrate is 0 is not flowing and is never picked. Moving up needs the estimate to
/// exceed the layer's bitrate by `upgradeHeadroom` and, after a move down, `upgradeHoldTime` to
/// have passed; moving down happens as soon as the estimate falls below the current layer's
/// bitrate. The caller passes its starting estimate before any report has come (a new viewer
/// starts on the highest layer that fits it); with `nil` the lowest flowing layer is chosen.
/// The selector only names a target; the forwarder switches on the target's next key frame.
public struct SimulcastLayerSelector: Sendable {
    /// Most layers a track may have.
    public static let maxLayers = 4

    /// Estimate needed to move up, as a multiple of the layer's bitrate.
    public var upgradeHeadroom: Double
    /// Wait (ns) after a move down before moving up again.
    public var upgradeHoldTime: UInt64
    /// How far the estimate may sit below the current layer's measured rate before the layer is
    /// dropped: layer rates are averages that key frames push up, and estimates wobble.
    public var downgradeTolerance: Double = 0.8
    /// How many layers the track has.
    public let layerCount: Int
    private var bitrates: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// The layer last chosen; `nil` before any layer flows.
    public private(set) var target: Int?
    private var lastDowngrade: UInt64?
    /// The layers from lowest to highest (SDP order until the producer has measured them).
    public private(set) var order: LayerOrder

    /// A selector over `layerCount` layers (1 to 4).
    public init(layerCount: Int, upgradeHeadroom: Double = 1.15, upgradeHoldTime: UInt64 = 4_000_000_000) {
        self.layerCount = min(max(layerCount, 1), Self.maxLayers)
        self.upgradeHeadroom = upgradeHeadroom
        self.upgradeHoldTime = upgradeHoldTime
        order = .sdp(count: self.layerCount)
    }

    /// Forgets the target, so that the next ``select(estimate:now:)`` starts from the lowest
    /// layer without hysteresis (nothing is forwarded yet).
    public mutating func forgetTarget() {
        target = nil
    }

    /// Ranks the layers by `order` (from the track's producer); the target keeps its layer.
    public mutating func setOrder(_ order: LayerOrder) {
        guard order.count == layerCount else { return }
        self.order = order
    }

    /// Records the measured bitrate of `layer` (bits per second; 0 when it stopped).
    public mutating func setBitrate(_ bitsPerSecond: UInt64, layer: Int) {
        guard (0..<layerCount).contains(layer) else { return }
        withUnsafeMutableBytes(of: &bitrates) {
            $0.storeBytes(of: bitsPerSecond, toByteOffset: layer * 8, as: UInt64.self)
        }
    }

    /// The measured bitrate of `layer`.
    public func bitrate(layer: Int) -> UInt64 {
        guard (0..<layerCount).contains(layer) else { return 0 }
        return withUnsafeBytes(of: bitrates) { $0.load(fromByteOffset: layer * 8, as: UInt64.self) }
    }

    /// Chooses the target layer for `estimate` (bits per second, `nil` when none yet) at `now`.
    /// Allocation-free: call it whenever the estimate or a bitrate changes.
    @discardableResult
    public mutating func select(estimate: UInt64?, now: UInt64) -> Int? {
        guard let lowest = nextFlowing(above: nil) else {
            target = nil
            return nil
        }
        guard let estimate else {
            target = lowest
            return lowest
        }
        var current = target.flatMap { bitrate(layer: $0) > 0 ? $0 : nil } ?? lowest
        // Down: the current layer no longer fits.
        while current != lowest, Double(bitrate(layer: current)) * downgradeTolerance > Double(estimate) {
            current = previousFlowing(below: current) ?? lowest
            lastDowngrade = now
        }
        // Up: the next flowing layer fits with headroom, and no recent downgrade.
        let holding = lastDowngrade.map { now &- $0 < upgradeHoldTime } ?? false
        if !holding {
            while let next = nextFlowing(above: current),
                Double(bitrate(layer: next)) * upgradeHeadroom <= Double(estimate)
            {
                current = next
            }
        }
        target = current
        return current
    }

    /// The next flowing layer above `layer` in ``order`` (above none: the lowest flowing one).
    public func nextFlowing(above layer: Int?) -> Int? {
        var rank = layer.flatMap { order.rank(of: $0) }.map { $0 + 1 } ?? 0
        while rank < order.count {
            let candidate = order.layer(atRank: rank)
            if bitrate(layer: candidate) > 0 { return candidate }
            rank += 1
        }
        return nil
    }

    /// The highest flowing layer in ``order``.
    public func highestFlowing() -> Int? {
        var rank = order.count
        while rank > 0 {
            rank -= 1
            let candidate = order.layer(atRank: rank)
            if bitrate(layer: candidate) > 0 { return candidate }
        }
        return nil
    }

    private func previousFlowing(below layer: Int) -> Int? {
        guard var rank = order.rank(of: layer) else { return nil }
        while rank > 0 {
            rank -= 1
            let candidate = order.layer(atRank: rank)
            if bitrate(layer: candidate) > 0 { return candidate }
        }
        return nil
    }
}
