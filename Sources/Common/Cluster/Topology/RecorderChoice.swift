/// Which recorder records a stream a policy matches: rendezvous hashing over the topology's
/// recorders, so every recorder agrees without talking, and a recorder added or removed moves
/// only its share of the streams. Also where a node that is not a recorder sends a
/// `/v1/recordings` request (`RecordingsRedirect`, MeshCascade).
public enum RecorderChoice {
    /// The recorder node id for `stream`; nil when the topology has no recorder.
    public static func recorder(for stream: String, in topology: Topology) -> String? {
        recorder(for: stream, among: topology.nodes.filter { $0.role == .recorder }.map(\.id))
    }

    /// The one of `recorders` that records `stream`; nil when there is none.
    public static func recorder(for stream: String, among recorders: [String]) -> String? {
        recorders.max { score(stream, $0) < score(stream, $1) }
    }

    /// FNV-1a over the stream and node names: stable across processes (Swift's `Hasher` is not).
    public static func score(_ stream: String, _ node: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 + [0] + node.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }
}
