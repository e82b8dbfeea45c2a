import Hummingbird
import HummingbirdTesting
import MeshControl
import Synchronization
import Testing

/// This node's TURN server in WHIP/WHEP answers (RFC 9725 §4.6): minted per session on each
/// `201`, never on an unauthenticated `OPTIONS`.
@Suite struct SessionTURNLinkTests {
    @Test func createdAnswersCarryFreshCredentialsPreflightsDoNot() async throws {
        let minted = Mutex(0)
        var configuration = ControlConfiguration(
            tokenSecret: ControlTest.secret, iceServers: [ICEServerLink(url: "stun:stun.example.net:3478")])
        let sessions = Mutex<[String]>([])
        configuration.sessionICEServers = { session in
            sessions.withLock { $0.append(session) }
            let count = minted.withLock { count in
                count += 1
                return count
            }
            return [
                ICEServerLink(
                    url: "turn:192.0.2.1:3478?transport=udp", username: "1:s\(count)", credential: "c\(count)")
            ]
        }
        try await ControlTest.withServer(configuration: configuration) { client in
            for expected in 1...2 {
                try await client.execute(
                    uri: "/whip/lobby", method: .post, headers: ControlTest.headers(.publish),
                    body: ByteBuffer(string: ControlTest.offer)
                ) { response in
                    #expect(response.status == .created)
                    #expect(
                        response.headers[values: .testLink] == [
                            "<stun:stun.example.net:3478>; rel=\"ice-server\"",
                            "<turn:192.0.2.1:3478?transport=udp>; rel=\"ice-server\"; username=\"1:s\(expected)\"; "
                                + "credential=\"c\(expected)\"; credential-type=\"password\"",
                        ])
                }
            }
            try await client.execute(uri: "/whep/lobby", method: .options) { response in
                #expect(response.headers[values: .testLink] == ["<stun:stun.example.net:3478>; rel=\"ice-server\""])
            }
        }
        #expect(minted.withLock { $0 } == 2)
        // Minted for the session each 201 created, one id each.
        #expect(sessions.withLock { $0 }.count == 2)
        #expect(Set(sessions.withLock { $0 }).count == 2)
    }
}
