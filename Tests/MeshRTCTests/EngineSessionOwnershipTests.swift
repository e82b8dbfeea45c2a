import Foundation
import MeshRTC
import Testing

/// A session is addressed by its id and by the stream and role it was created for (issue 17):
/// WHIP (RFC 9725 §4.3) and WHEP give `PATCH` and `DELETE` to whoever holds a token for the
/// resource's stream, so the engine must not let a token for one stream reach another's session.
@Suite("Engine session ownership", .serialized)
struct EngineSessionOwnershipTests {
    /// An RFC 9725 §4.3.2 ICE restart fragment: new ufrag and pwd.
    static let restart =
        "a=ice-ufrag:new1\r\na=ice-pwd:anewclientpassword1234\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n"

    /// A started one-worker engine with a publisher and a viewer of `victim`.
    static func withVictim(
        _ body: (MediaEngine, _ publisher: SessionAddress, _ viewer: SessionAddress) async throws -> Void
    ) async throws {
        let node = try EngineUnderTest(id: "owner-t", role: "origin", port: UInt16.random(in: 20_000...40_000))
        defer { node.stop() }
        try await node.engine.start()
        let published = try await node.engine.publish(
            stream: "victim", offer: try NegotiationOffers.fixture("aiortc-sendonly"), client: "test")
        let viewed = try await node.engine.view(
            stream: "victim", offer: try NegotiationOffers.fixture("chromium-audio-video"), client: "test",
            options: ViewerOptions())
        try await body(
            node.engine, SessionAddress(id: published.sessionID, stream: "victim", role: .publisher),
            SessionAddress(id: viewed.sessionID, stream: "victim", role: .viewer))
    }

    @Test("under another stream or role a session is exactly an unknown id, and stays untouched")
    func aSessionAnswersOnlyAtItsOwnAddress() async throws {
        try await Self.withVictim { engine, publisher, viewer in
            for own in [publisher, viewer] {
                let otherRole: NegotiationRole = own.role == .publisher ? .viewer : .publisher
                let probes = [
                    SessionAddress(id: own.id, stream: "attacker", role: own.role),
                    SessionAddress(id: own.id, stream: "victim", role: otherRole),
                    SessionAddress(id: own.id, stream: "attacker", role: otherRole),
                ]
                for probe in probes {
                    #expect(await engine.sessionTag(probe) == nil, "\(probe)")
                    await #expect(throws: SessionRequestError.unknownSession, "\(probe)") {
                        try await engine.patchSession(probe, fragment: Self.restart)
                    }
                    #expect(await engine.endSession(probe, reason: "probe") == false, "\(probe)")
                }
                // Still there, and no ICE restart happened: the ETag's generation is still 0.
                #expect(await engine.sessionTag(own) == "\(own.id)-0")
            }
            #expect(await engine.health().sessions == 2)
            let stream = try #require(await engine.streams().first { $0.name == "victim" })
            #expect(stream.live && stream.publishers == 1 && stream.viewers == 1)

            // At its own address, each is reachable.
            let restarted = try await engine.patchSession(publisher, fragment: Self.restart)
            guard case .restarted(_, let tag) = restarted else {
                Issue.record("expected an ICE restart, got \(restarted)")
                return
            }
            #expect(tag == "\(publisher.id)-1")
            #expect(await engine.endSession(viewer, reason: "DELETE"))
            #expect(await engine.endSession(publisher, reason: "DELETE"))
            #expect(await engine.health().sessions == 0)
        }
    }

    @Test func liveSessionIDsNamesOnlyWhatIsLive() async throws {
        try await Self.withVictim { engine, publisher, viewer in
            let live = await engine.liveSessionIDs(among: [publisher.id, viewer.id, "0123456789abcdef"])
            #expect(live == [publisher.id, viewer.id])
            #expect(await engine.endSession(viewer, reason: "DELETE"))
            #expect(await engine.liveSessionIDs(among: [publisher.id, viewer.id]) == [publisher.id])
        }
    }

    /// `/v1/streams` is public: it counts sessions and names none.
    @Test func theStreamListingCountsSessionsAndNamesNone() async throws {
        try await Self.withVictim { engine, publisher, viewer in
            let streams = await engine.streams()
            let json = String(decoding: try JSONEncoder().encode(streams), as: UTF8.self)
            #expect(!json.contains(publisher.id), "\(json)")
            #expect(!json.contains(viewer.id), "\(json)")
            #expect(json.contains("\"publishers\":1"))
            #expect(json.contains("\"viewers\":1"))
        }
    }

    /// An offer over ``OfferLimits`` is refused before the stream is claimed or a track made;
    /// one at the limits gets its eight tracks.
    @Test func offersOverTheTrackLimitAreRefusedAndOffersAtItAccepted() async throws {
        let node = try EngineUnderTest(id: "limit-t", role: "origin", port: UInt16.random(in: 20_000...40_000))
        defer { node.stop() }
        try await node.engine.start()
        await #expect(throws: SessionRequestError.self) {
            try await node.engine.publish(
                stream: "wide", offer: NegotiationLimitTests.offer(audio: 0, video: 100), client: "test")
        }
        #expect(await node.engine.health().sessions == 0)
        #expect(await node.engine.streams().first { $0.name == "wide" }?.publishers ?? 0 == 0)

        let answer = try await node.engine.publish(
            stream: "wide", offer: NegotiationLimitTests.offer(audio: 4, video: 4), client: "test")
        let stream = try #require(await node.engine.streams().first { $0.name == "wide" })
        #expect(stream.tracks.count == 8)
        #expect(
            await node.engine.endSession(
                SessionAddress(id: answer.sessionID, stream: "wide", role: .publisher), reason: "done"))
    }
}
