/// The simulcast layers of a track from lowest to highest, by what they carry.
///
/// WHIP says nothing about which rid is the largest: Chromium sends `sendEncodings` in the
/// order the application lists them, and Janus's demos and many applications list the full
/// resolution first. So the order comes from the media: each layer's resolution, read from its
/// key frames, then its measured bitrate as the tie-breaker (and for layers whose size is not
/// known yet), then the SDP order. It is recomputed whenever a layer's size changes (Chromium
/// scales a layer down under CPU or bandwidth pressure) and once a second with the bitrates.
///
/// Packed into one `UInt32` (4 bits per layer index, lowest first, and the count) so that it
/// travels between workers through one atomic and costs a viewer nothing to read.
public struct LayerOrder: Sendable, Hashable {
    /// The packed form: bits 0–15 hold the layer indices by rank, bits 16–19 the count.
    public let rawValue: UInt32

    /// The order packed in `rawValue`.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `count` layers in SDP order (what a track has before anything is measured).
    public static func sdp(count: Int) -> LayerOrder {
        LayerOrder(indices: Array(0..<min(max(count, 0), SimulcastLayerSelector.maxLayers)))
    }

    /// The layers ranked by `pixels` (0: not known), then `bitrate`, then SDP index.
    ///
    /// Layers whose size is known rank by it, whatever their bitrates: Chromium gives a layer it
    /// has just turned on less than the one below (q at 610 kbit/s, h at 225). A layer whose size
    /// is not known yet (a key frame on its way, or one that never came: an inactive layer)
    /// goes below the first sized layer carrying more than it, so that a full-size layer still
    /// waiting for its key frame does not rank at the bottom, and an inactive one does not put
    /// the others in bitrate order.
    public static func ranking(count: Int, pixels: (Int) -> Int, bitrate: (Int) -> Int) -> LayerOrder {
        let layers = 0..<min(max(count, 0), SimulcastLayerSelector.maxLayers)
        func byBitrate(_ left: Int, _ right: Int) -> Bool {
            bitrate(left) != bitrate(right) ? bitrate(left) < bitrate(right) : left < right
        }
        var ranked = layers.filter { pixels($0) > 0 }.sorted { left, right in
            pixels(left) != pixels(right) ? pixels(left) < pixels(right) : byBitrate(left, right)
        }
        for unsized in layers.filter({ pixels($0) <= 0 }).sorted(by: byBitrate) {
            let above = ranked.firstIndex { bitrate($0) > bitrate(unsized) } ?? ranked.count
            ranked.insert(unsized, at: above)
        }
        return LayerOrder(indices: ranked)
    }

    /// An order listing `indices` from lowest to highest (at most four, each below four).
    public init(indices: [Int]) {
        var raw = UInt32(min(indices.count, SimulcastLayerSelector.maxLayers)) << 16
        for (rank, index) in indices.prefix(SimulcastLayerSelector.maxLayers).enumerated() {
            raw |= UInt32(index & 0xF) << (rank * 4)
        }
        rawValue = raw
    }

    /// How many layers are ranked.
    public var count: Int { Int(rawValue >> 16 & 0xF) }

    /// The layer index at `rank` (0: lowest).
    public func layer(atRank rank: Int) -> Int {
        Int(rawValue >> (UInt32(rank) * 4) & 0xF)
    }

    /// The rank of layer `index`, `nil` when it is not ranked.
    public func rank(of index: Int) -> Int? {
        (0..<count).first { layer(atRank: $0) == index }
    }

    /// The layer indices from lowest to highest.
    public var indices: [Int] { (0..<count).map(layer(atRank:)) }
}
