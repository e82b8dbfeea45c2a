/// How every edge of the mesh behaves: `edge: {unsubscribe_after_seconds: 30}` at the top level.
public struct EdgeOptions: Sendable, Equatable, Codable {
    /// How long an edge keeps a stream's upstream subscription after its last viewer left,
    /// so a viewer who reloads the page finds the stream still flowing.
    public var unsubscribeAfterSeconds: Int

    /// The delay when the topology gives none.
    public static let defaultUnsubscribeAfterSeconds = 30

    /// Creates edge options.
    public init(unsubscribeAfterSeconds: Int = EdgeOptions.defaultUnsubscribeAfterSeconds) {
        self.unsubscribeAfterSeconds = unsubscribeAfterSeconds
    }

    /// What a topology without an `edge` section means.
    public static let standard = EdgeOptions()
}
