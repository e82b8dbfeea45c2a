/// A subscribed track's publisher clock as the upstream end of a link sees it: how to read it,
/// and the pair last carried on the link.
struct RelayedClock {
    let read: () -> SenderReportClock.Mapping?
    var carried: SenderReportClock.Mapping?

    init(read: @escaping () -> SenderReportClock.Mapping?) {
        self.read = read
    }

    /// Whether the clock holds a pair the link has not carried yet.
    var isAhead: Bool {
        guard let pair = read() else { return false }
        return pair != carried
    }
}
