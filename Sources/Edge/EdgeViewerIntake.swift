import MeshCascade
import MeshControl

/// What an edge does with a WHEP viewer placed on it: serves it, joining the stream's tree
/// first when this is the stream's first viewer here (the carrier picks the upstream and
/// subscribes over one relay link). Publishers an edge refuses (``RefusesPublishers``).
public struct EdgeViewerIntake: ViewerIntake {
    /// The edge's intake.
    public init() {}

    /// `.here` once the stream is carried here; `404`/`503` when it cannot be.
    public func takeViewer(of stream: String, carrier: any ViewerCarrier) async -> PlacementVerdict {
        await carrier.carryHere(stream)
    }
}
