import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshRTC

/// Shared pieces of the mesh tests: a server in a mesh, signed internal requests, and bodies.
enum MeshTest {
    static let clusterSecret = Array("cluster secret for the mesh tests".utf8)
    static let signatureField = HTTPField.Name(InternalRequestSignature.headerName) ?? .authorization

    /// Runs `body` against a router-mode application over `mesh` with a cluster secret.
    static func withServer(
        _ mesh: RecordingMeshCoordination?, engine: RecordingNodeControl = RecordingNodeControl(),
        clusterSecret: [UInt8]? = MeshTest.clusterSecret, testFaults: Bool = false,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = ControlConfiguration(tokenSecret: ControlTest.secret, clusterSecret: clusterSecret)
        configuration.testFaults = testFaults
        let server = ControlServer(configuration: configuration, control: engine, mesh: mesh)
        try await server.makeApplication().test(.router) { client in try await body(client) }
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// Headers of an internal request for `target` (path and query) signed with `secret` at
    /// `time`, with a fresh nonce.
    static func signed(
        _ method: HTTPRequest.Method, _ target: String, body: String = "", secret: [UInt8] = clusterSecret,
        time: Int64 = now, json: Bool = true
    ) throws -> HTTPFields {
        var fields = HTTPFields()
        fields[signatureField] = try InternalRequestSignature(secret: secret).headerValue(
            method: method.rawValue, target: target, body: Array(body.utf8), now: time)
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    /// A link request as a downstream edge would make it, to `origin-1` (the node
    /// ``RecordingMeshCoordination`` answers as); its keys are fresh.
    static let setupRequest = LinkSetupRequest(
        downstreamNode: "edge-1", upstreamNode: "origin-1",
        downstreamAddress: LinkAddress(host: "127.0.0.1", port: 41000), keys: LinkKeys.generate())

    /// The seal every node of the test mesh derives from ``clusterSecret``.
    static func keySeal(_ secret: [UInt8] = clusterSecret) throws -> LinkKeySeal {
        try LinkKeySeal(clusterSecret: secret)
    }

    /// `request` as the `POST /internal/v1/links` body: JSON with the keys sealed.
    static func setupJSON(_ request: LinkSetupRequest = setupRequest) throws -> String {
        try json(SealedLinkSetupRequest(sealing: request, with: keySeal()))
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// A subscription body: the stream's record with one Opus track (mesh SSRC 0x1234_5678).
    static let subscriptionJSON = """
        {"stream":"lobby","tracks":[305419896],"record":{"name":"lobby","originNode":"origin-1",\
        "tracks":[{"trackID":"0","kind":"audio","ssrc":305419896,"codec":"opus","payloadType":111,\
        "clockRate":48000}],"startedAt":1700000000000}}
        """

    static func subscription() throws -> RelaySubscriptionRequest {
        try JSONDecoder().decode(RelaySubscriptionRequest.self, from: Data(subscriptionJSON.utf8))
    }

    /// The value of `meshcast_internal_rejected_total{reason="<reason>"}` in a scrape.
    static func rejected(_ reason: String, in metrics: String) -> Int? {
        let prefix = "meshcast_internal_rejected_total{reason=\"\(reason)\"} "
        guard let line = metrics.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        return Int(line.dropFirst(prefix.count))
    }
}
