import MeshControl
import MeshTURN

/// The relay's counters and allocations for the HTTP side (`/metrics`, `GET /v1/turn`): each
/// call runs on the relay's loop, which owns the server. A loop that is stopping answers
/// nothing rather than block a scrape.
public struct TURNRelayStatus: TURNStatusSource {
    let relay: TURNRelay

    /// The status of `relay`.
    public init(relay: TURNRelay) { self.relay = relay }

    public func prometheusText() async -> String {
        let relay = relay
        return (try? await relay.loop.run { relay.prometheusText() }) ?? ""
    }

    public func allocations() async -> [TURNAllocationListing] {
        let relay = relay
        let summaries = (try? await relay.loop.run { relay.allocationSummaries() }) ?? []
        return summaries.map { summary in
            TURNAllocationListing(
                username: summary.username, transport: summary.fiveTuple.transport.name,
                client: summary.fiveTuple.client.description, relayed: summary.relayed.description,
                openedAtMs: summary.opened.milliseconds, expiresAtMs: summary.expiry.milliseconds,
                permissions: summary.permissions, channels: summary.channels,
                bytesFromClient: summary.bytesFromClient, bytesToClient: summary.bytesToClient,
                dropped: summary.dropped)
        }
    }
}
