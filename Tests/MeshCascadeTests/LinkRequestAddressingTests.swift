import MeshCluster
import MeshControl
import MeshRTC
import Testing

@testable import MeshCascade

/// A link request names the node it asks (and its keys are sealed to that name): one captured on
/// its way to another node and replayed here is refused before the data plane opens anything.
@Suite(.serialized) struct LinkRequestAddressingTests {
    @Test func linkRequestForAnotherNodeIsRefused() async throws {
        let world = try await MeshWorld(nodes: ["origin", "relay"])
        let request = LinkSetupRequest(
            downstreamNode: "edge-b", upstreamNode: "relay",
            downstreamAddress: LinkAddress(host: "127.0.0.1", port: 40002), keys: .generate())
        await #expect(
            throws: InternalRequestError.invalid("the link request is addressed to node 'relay', not to 'origin'")
        ) {
            _ = try await world.coordinator("origin").acceptLink(request)
        }
        #expect(world.plane("origin").calls.isEmpty)
        let accepted = try await world.coordinator("relay").acceptLink(request)
        #expect(accepted.upstreamNode == "relay")
        #expect(world.plane("relay").calls == ["acceptLink edge-b"])
    }
}
