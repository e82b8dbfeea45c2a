extension MeshOverview {
    /// One stream a node moved to another upstream, as `GET /v1/mesh` lists it.
    public struct Failover: Sendable, Equatable, Codable {
        /// Wall-clock milliseconds since 1970 when the move ended.
        public var at: UInt64
        /// The node that moved the stream.
        public var node: String
        /// The stream.
        public var stream: String
        /// The upstream it left.
        public var from: String
        /// Its new upstream; `nil` (left out of the JSON) when no new path was found.
        public var to: String?
        /// `upstream lost` (its link went silent) or `upstream draining` (moved off a drain).
        public var cause: String
        /// How long the move took, in ms.
        public var milliseconds: Int
        /// Why no new path was found, when none was.
        public var failure: String?

        /// A failover from its parts.
        public init(
            at: UInt64, node: String, stream: String, from: String, to: String?, cause: String, milliseconds: Int,
            failure: String? = nil
        ) {
            self.at = at
            self.node = node
            self.stream = stream
            self.from = from
            self.to = to
            self.cause = cause
            self.milliseconds = milliseconds
            self.failure = failure
        }
    }
}
