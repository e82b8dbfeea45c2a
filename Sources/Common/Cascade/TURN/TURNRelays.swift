import MeshRuntime
import MeshTURN

/// A node's TURN relays (issue 13, item 6): the node relay on worker 0 (the topology's UDP,
/// TCP and TLS listeners, for generic clients) and one relay on each media worker, which serves
/// TURN on the worker's media port when the topology serves TURN over UDP (the `Link` of every
/// session on that worker names it) and the TCP and TLS clients that move to it. All share one ``TURNNodeLedger``, so quotas, relay ports and ended credentials are the
/// node's; each runs on its own loop. Any thread.
public final class TURNRelays: Sendable {
    /// The relay on the topology's listeners.
    public let node: TURNRelay
    /// The relay on worker `k` at index `k`.
    public let ports: [TURNRelay?]

    /// The relays of one node.
    public init(node: TURNRelay, ports: [TURNRelay?]) {
        self.node = node
        self.ports = ports
    }

    /// Every relay, the node's first.
    public var all: [TURNRelay] { [node] + ports.compactMap(\.self) }

    /// Whether worker `k` runs a relay (whose media port serves TURN when the topology has a
    /// UDP listener: `NodeTURN.urls(of:workerPort:)` names the port only then).
    public func hasRelay(onWorker index: Int) -> Bool { index < ports.count && ports[index] != nil }

    /// A media session `id` began here: its credential's Allocates are served here even while
    /// the node drains (the ledger is shared: one call is enough).
    public func sessionStarted(_ id: String) {
        node.loop.post { [node] in node.sessionStarted(id) }
    }

    /// Ends the allocations made with the credential minted for session `id`, on every relay.
    public func endSession(_ id: String) {
        for relay in all { relay.loop.post { relay.endSession(id) } }
    }

    /// The node's `/metrics` lines: the relays' counters and live allocations, summed.
    public func prometheusText() async -> String {
        var counters = TURNCounters()
        var live: [TURNClientTransport: Int] = [:]
        for relay in all {
            guard
                let (part, counts) = try? await relay.loop.run({ (relay.counters, relay.allocationCountsByTransport) })
            else { continue }
            counters.add(part)
            live.merge(counts, uniquingKeysWith: +)
        }
        return counters.prometheusText(live: live)
    }

    /// Every live allocation on every relay, oldest first.
    public func allocationSummaries() async -> [TURNAllocationSummary] {
        var summaries: [TURNAllocationSummary] = []
        for relay in all {
            summaries += (try? await relay.loop.run { relay.allocationSummaries() }) ?? []
        }
        return summaries.sorted { $0.opened.milliseconds < $1.opened.milliseconds }
    }

    /// Stops every relay on its loop (each allocation ends, logged), the ports' first.
    public func stop() async {
        for relay in all.reversed() { try? await relay.loop.run { relay.stop() } }
    }
}
