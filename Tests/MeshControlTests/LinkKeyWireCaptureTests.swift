import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// Issue 17, item 5: relay-link keys must never travel in clear. A real link set-up through
/// `InternalAPIClient` and the real server, with a recording proxy between them on loopback
/// standing in for an observer on the path; no key or salt byte string may appear in what it
/// saw, raw or in any of the text forms an encoder would give it.
@Suite struct LinkKeyWireCaptureTests {
    @Test func noLinkKeyCrossesTheWireInClearAndBothEndsAgree() async throws {
        let mesh = RecordingMeshCoordination()
        let configuration = ControlConfiguration(tokenSecret: ControlTest.secret, clusterSecret: MeshTest.clusterSecret)
        let server = ControlServer(configuration: configuration, control: RecordingNodeControl(), mesh: mesh)
        let request = LinkSetupRequest(
            downstreamNode: "edge-1", upstreamNode: "origin-1",
            downstreamAddress: LinkAddress(host: "127.0.0.1", port: 41000), keys: LinkKeys.generate())

        try await server.makeApplication().test(.live) { client in
            let proxy = try RecordingTCPProxy(forwardingTo: try #require(client.port))
            defer { proxy.stop() }
            let api = InternalAPIClient(secret: MeshTest.clusterSecret)

            let answer = try await api.openLink(apiBase: "http://127.0.0.1:\(proxy.port)", request)
            // Both ends hold the same keys: the upstream opened exactly the request's keys (the
            // recording coordinator saw them), and the downstream opened them again from the answer.
            #expect(answer.keys == request.keys)
            #expect(mesh.calls == [.acceptLink(request)])

            let (toServer, toClient) = proxy.captured
            #expect(String(decoding: toServer, as: UTF8.self).hasPrefix("POST /internal/v1/links HTTP/1.1\r\n"))
            #expect(String(decoding: toClient, as: UTF8.self).hasPrefix("HTTP/1.1 201"))
            let secrets = [
                request.keys.downstream.key, request.keys.downstream.salt, request.keys.upstream.key,
                request.keys.upstream.salt,
            ]
            for secret in secrets {
                for (form, needle) in WireForms.of(secret) {
                    // Booleans first, so that a failure names the form instead of printing the capture.
                    let towardsServer = toServer.contains(needle)
                    let towardsClient = toClient.contains(needle)
                    #expect(!towardsServer, "a key travels to the server as \(form)")
                    #expect(!towardsClient, "a key travels back as \(form)")
                }
            }
        }
    }
}

extension LinkKeyWireCaptureTests {
    /// The check finds a key where the format before sealing put it, and inside longer
    /// encodings at every alignment: otherwise a pass above would prove nothing.
    @Test func wireFormsFindKeysInsideLongerEncodings() {
        let key: [UInt8] = (0..<16).map { UInt8(truncatingIfNeeded: $0 * 17 + 3) }
        let clearJSON = Array(#"{"downstream":{"key":"\#(Base64URL.encode(key))","salt":"AAAA"}}"#.utf8)
        #expect(WireForms.of(key).contains { clearJSON.contains($0.1) })
        for prefix in 0..<3 {
            let surrounded = [UInt8](repeating: 0xEE, count: prefix) + key + [0x01, 0x02]
            for encoded in [
                Array(Data(surrounded).base64EncodedString().utf8), Array(Base64URL.encode(surrounded).utf8),
                Array(surrounded.map { String(format: "%02X", $0) }.joined().utf8),
            ] {
                #expect(WireForms.of(key).contains { encoded.contains($0.1) })
            }
        }
    }
}

/// The forms a byte string takes when some encoder writes it: raw, hex (either case), and base64
/// (also JSON-escaped) or base64url at each of the three alignments it can have inside a longer
/// encoding, keeping only the characters that depend on the secret bytes alone.
enum WireForms {
    static func of(_ bytes: [UInt8]) -> [(String, [UInt8])] {
        var forms: [(String, [UInt8])] = [("raw", bytes)]
        let lower = bytes.map { String(format: "%02x", $0) }.joined()
        forms.append(("hex", Array(lower.utf8)))
        forms.append(("HEX", Array(lower.uppercased().utf8)))
        for shift in 0..<3 {
            let padded = Data([UInt8](repeating: 0, count: shift) + bytes).base64EncodedString()
            // Characters i with 6i >= 8·shift and 6i + 6 <= 8·(shift + count) see only secret bits.
            let first = (8 * shift + 5) / 6
            let end = (8 * (shift + bytes.count)) / 6
            let standard = Array(padded.utf8)[first..<end]
            let url = standard.map {
                $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
            }
            forms.append(("base64 (offset \(shift))", Array(standard)))
            // JSONEncoder writes "/" as "\/", which would hide a standard base64 string from the check above.
            let escaped = standard.flatMap { $0 == UInt8(ascii: "/") ? Array(#"\/"#.utf8) : [$0] }
            forms.append(("base64 in JSON (offset \(shift))", escaped))
            forms.append(("base64url (offset \(shift))", url))
        }
        return forms
    }
}

extension [UInt8] {
    /// Whether `needle` occurs anywhere in these bytes.
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in
            self[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
