/// Permission for one node to feed another over a relay link (`from` is upstream).
///
/// Path computation only builds relay trees out of pairs the topology allows.
public struct LinkRule: Sendable, Equatable, Hashable, Codable {
    /// The id of the upstream node, which sends media.
    public var from: String
    /// The id of the downstream node, which receives media.
    public var to: String

    /// Creates a rule.
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}
