import MeshCluster
import MeshControl
import MeshEdge
import MeshOrigin
import MeshRecorder
import MeshRelay
import Synchronization
import Testing

@testable import MeshCascade

/// Each role module's intake, on its own: the origin claims through the desk and takes the
/// publisher, the other roles refuse publishers without claiming; edges and origins serve
/// viewers through the carrier, relays and recorders refuse them without pulling.
@Suite struct RoleIntakeTests {
    @Test func theOriginsIntakeClaimsTheStreamThroughTheDesk() async {
        let publishers = OriginNode.intake.publishers
        let desk = RecordingClaimDesk(answer: .claimed, maxPublishers: 3)
        #expect(await publishers.takePublisher(of: "s", claims: desk) == .here)
        #expect(desk.claimed == ["s"])

        desk.answer = .publishedElsewhere(origin: "origin-2")
        #expect(
            await publishers.takePublisher(of: "t", claims: desk)
                == .refused(status: 409, reason: "stream 't' is already published on origin-2"))
        desk.answer = .full
        #expect(
            await publishers.takePublisher(of: "u", claims: desk)
                == .unavailable(reason: "the mesh publishes its most streams (max_publishers 3)", retryAfterSeconds: 2))
        // No claim could be made (Redis away, the script failed): the origin takes it anyway.
        desk.answer = nil
        #expect(await publishers.takePublisher(of: "v", claims: desk) == .here)
        #expect(publishers.takePublisherWithoutRedis(of: "w") == .here)
        #expect(desk.claimed == ["s", "t", "u", "v"])

        // A failed publisher gives its claim back; one that published keeps it.
        await publishers.publisherSettled("s", published: true, claims: desk)
        await publishers.publisherSettled("t", published: false, claims: desk)
        #expect(desk.released == ["t"])
    }

    @Test func aRelaysIntakeRefusesPublishersAndViewersWithoutClaimingOrPulling() async {
        let intake = RelayNode.intake
        let desk = RecordingClaimDesk(answer: .claimed, maxPublishers: nil)
        #expect(await intake.publishers.takePublisher(of: "s", claims: desk) == nil)
        #expect(intake.publishers.takePublisherWithoutRedis(of: "s") == nil)
        await intake.publishers.publisherSettled("s", published: false, claims: desk)
        #expect(desk.claimed.isEmpty)
        #expect(desk.released.isEmpty)
        let carrier = RecordingCarrier()
        #expect(
            await intake.viewers.takeViewer(of: "s", carrier: carrier)
                == .refused(status: 403, reason: "this node serves no viewers; watch on an edge"))
        #expect(carrier.carried.isEmpty)
    }

    @Test func everyRolesIntakeDoesWhatItsPolicySays() async {
        for role in NodeRole.allCases {
            let (policy, intake) = (MeshFixture.policy(for: role), MeshFixture.intake(for: role))
            let desk = RecordingClaimDesk(answer: .claimed, maxPublishers: nil)
            let taken = await intake.publishers.takePublisher(of: "s", claims: desk)
            #expect((taken == .here) == policy.acceptsPublishers, "\(role)")
            #expect((intake.publishers.takePublisherWithoutRedis(of: "s") == .here) == policy.acceptsPublishers)
            #expect(desk.claimed == (policy.acceptsPublishers ? ["s"] : []), "\(role)")
            let carrier = RecordingCarrier()
            let served = await intake.viewers.takeViewer(of: "s", carrier: carrier)
            #expect((served == .here) == policy.servesViewers, "\(role)")
            #expect(carrier.carried == (policy.servesViewers ? ["s"] : []), "\(role)")
        }
    }

    @Test func throughTheCoordinatorTheOriginHoldsTheClaimAndARelayNone() async throws {
        let world = try await MeshWorld(nodes: ["origin", "relay"])
        let claims = PublisherClaims(client: world.redis)
        let taken = await world.coordinator("origin").placePublisher(
            stream: "new", request: PlacementRequest(grant: try world.grant("origin", "new", action: .publish)))
        #expect(taken == .here)
        #expect(
            try await claims.claim(stream: "new", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                == .publishedElsewhere(origin: "origin"))
        let refused = await world.coordinator("relay").placePublisher(
            stream: "other", request: PlacementRequest(grant: try world.grant("relay", "other", action: .publish)))
        #expect(refused == .refused(status: 403, reason: "this node does not take publishers; publish to an origin"))
        #expect(
            try await claims.claim(stream: "other", origin: "origin-2", limit: nil, now: WallClock.milliseconds())
                == .claimed)
    }
}

/// A desk that answers every claim with `answer` and records what was claimed and released.
private final class RecordingClaimDesk: PublisherClaimDesk {
    private struct State {
        var answer: PublisherClaims.Outcome?
        var claimed: [String] = []
        var released: [String] = []
    }

    private let state: Mutex<State>
    let maxPublishers: Int?

    init(answer: PublisherClaims.Outcome?, maxPublishers: Int?) {
        state = Mutex(State(answer: answer))
        self.maxPublishers = maxPublishers
    }

    var answer: PublisherClaims.Outcome? {
        get { state.withLock { $0.answer } }
        set { state.withLock { $0.answer = newValue } }
    }
    var claimed: [String] { state.withLock { $0.claimed } }
    var released: [String] { state.withLock { $0.released } }

    func claim(_ stream: String) async -> PublisherClaims.Outcome? {
        state.withLock {
            $0.claimed.append(stream)
            return $0.answer
        }
    }

    func releaseClaimUnlessLive(_ stream: String) async {
        state.withLock { $0.released.append(stream) }
    }
}

/// A carrier that carries every stream at once and records which.
private final class RecordingCarrier: ViewerCarrier {
    private let streams = Mutex<[String]>([])

    var carried: [String] { streams.withLock { $0 } }

    func carryHere(_ stream: String) async -> PlacementVerdict {
        streams.withLock { $0.append(stream) }
        return .here
    }
}
