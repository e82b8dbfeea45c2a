/// STUB (integrator's placeholder until the parsers branch lands).
public struct VideoDimensions: Sendable, Hashable {
    public let width: UInt16
    public let height: UInt16
    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }
}
