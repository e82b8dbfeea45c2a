/// The width and height in pixels of the pictures a video stream carries, as its key frames
/// state them: the VP8 frame header (``VP8KeyFrameHeader``), the VP9 uncompressed header
/// (``VP9KeyFrameHeader``) or the H.264 sequence parameter set (``H264SequenceParameterSet``,
/// after frame cropping).
///
/// An SFU orders simulcast layers by it, because nothing in the signalling says which layer is
/// the largest. The parsers never produce a zero width or height.
public struct VideoDimensions: Sendable, Hashable, CustomStringConvertible {
    /// The width in pixels.
    public let width: UInt16
    /// The height in pixels.
    public let height: UInt16

    /// Dimensions of `width` × `height` pixels.
    public init(width: UInt16, height: UInt16) {
        self.width = width
        self.height = height
    }

    /// How many pixels a picture has: what "larger layer" means when comparing layers.
    public var pixelCount: Int { Int(width) * Int(height) }

    /// `WIDTHxHEIGHT`, as logs and the streams API write it.
    public var description: String { "\(width)x\(height)" }
}
