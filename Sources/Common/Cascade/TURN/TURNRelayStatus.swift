import MeshControl
import MeshTURN

/// The relays' counters and allocations for the HTTP side (`/metrics`, `GET /v1/turn`): each
/// relay is asked on its own loop, which owns its server, and the answers are summed. A loop
/// that is stopping answers nothing rather than block a scrape.
public struct TURNRelayStatus: TURNStatusSource {
    let relays: TURNRelays

    /// The status of a node's `relays`.
    public init(relays: TURNRelays) { self.relays = relays }

    public func prometheusText() async -> String {
        await relays.prometheusText()
    }

    public func allocations() async -> [TURNAllocationListing] {
        await relays.allocationSummaries().map { summary in
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
