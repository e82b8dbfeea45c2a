import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire
import Testing

@Suite("ICEControllingClient answers the peer's checks")
struct ICEControllingClientAnswerTests {
    /// The peer's check, as Janus's libnice sends it: USERNAME `ourUfrag:peerUfrag`, signed
    /// with our password (RFC 8445 §7.2.2). A second client with swapped credentials writes it.
    @Test("A valid check gets a success response the peer accepts (RFC 8445 §7.3.1.1)")
    func answersValidCheck() throws {
        let ours = ICECredentials.generate()
        let peers = ICECredentials.generate()
        let viewer = ICEControllingClient(local: ours, remote: peers)
        let peer = ICEControllingClient(local: peers, remote: ours)
        let request = try bindingRequest(peer, nominate: false)
        let address = try loopback(4000)
        var response = [UInt8](repeating: 0, count: 256)
        let length = try withSTUN(request) { message in
            response.withUnsafeMutableBytes { viewer.writeResponse(to: message, from: address, into: $0) }
        }
        let written = try #require(length)
        let outcome = try withSTUN(Array(response[..<written])) { peer.handleResponse($0, now: 1) }
        #expect(outcome == .succeeded(mappedAddress: STUNTransportAddress(address)))
    }

    @Test("A check signed for someone else is not answered (RFC 8489 §9.1.3)")
    func ignoresStranger() throws {
        let viewer = ICEControllingClient(local: .generate(), remote: .generate())
        let stranger = ICEControllingClient(local: .generate(), remote: .generate())
        let request = try bindingRequest(stranger, nominate: false)
        var response = [UInt8](repeating: 0, count: 256)
        let address = try loopback(4000)
        let length = try withSTUN(request) { message in
            response.withUnsafeMutableBytes { viewer.writeResponse(to: message, from: address, into: $0) }
        }
        #expect(length == nil)
    }
}
