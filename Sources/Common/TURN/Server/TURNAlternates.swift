import MeshWire

/// Where a draining node sends new allocations (300 Try Alternate, RFC 8656 §7.2): for a client
/// in one of the listed address blocks, the server placement would choose for clients of that
/// block's region; for any other client, the ``fallback`` (the choice for the node's own region).
/// The longest block holding the client wins, as in placement's region lookup.
public struct TURNAlternates: Sendable, Equatable, CustomStringConvertible {
    /// One address block and the alternate for its clients.
    public struct Block: Sendable, Equatable {
        /// The clients' addresses.
        public let prefix: IPPrefix
        /// The TURN server they are sent to.
        public let alternate: STUNTransportAddress

        /// A block and its alternate.
        public init(prefix: IPPrefix, alternate: STUNTransportAddress) {
            self.prefix = prefix
            self.alternate = alternate
        }
    }

    /// The blocks, longest prefix first.
    public let blocks: [Block]
    /// The alternate for clients in no block; `nil`: they are served here.
    public let fallback: STUNTransportAddress?

    /// Alternates by block, and `fallback` for the rest.
    public init(blocks: [Block] = [], fallback: STUNTransportAddress?) {
        self.blocks = blocks.sorted { $0.prefix.length > $1.prefix.length }
        self.fallback = fallback
    }

    /// The alternate for a client at `ip`, or `nil` when it is served here.
    public func alternate(for ip: STUNIPAddress) -> STUNTransportAddress? {
        blocks.first { $0.prefix.contains(ip) }?.alternate ?? fallback
    }

    public var description: String {
        let byBlock = blocks.map { "\($0.prefix) → \($0.alternate)" }
        return (byBlock + ["others → \(fallback.map { "\($0)" } ?? "here")"]).joined(separator: ", ")
    }
}
