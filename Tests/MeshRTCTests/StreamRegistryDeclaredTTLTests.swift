import Testing

@testable import MeshRTC

/// Declared streams (`PUT /v1/streams/{stream}`) expire after the topology's
/// `declared_stream_ttl_seconds` without publisher or viewers. Time is the registry's `now`
/// argument, so each test plays the clock instead of sleeping.
@Suite struct StreamRegistryDeclaredTTLTests {
    static let second: UInt64 = 1_000_000_000
    static let ttl: UInt64 = 600

    private func registry(ttl: UInt64 = Self.ttl) -> StreamRegistry {
        StreamRegistry(graceSeconds: 300, declaredStreamTTLSeconds: Double(ttl))
    }

    private func names(_ registry: StreamRegistry) -> [String] {
        registry.snapshot().map(\.name)
    }

    @Test func anUnusedDeclarationIsForgottenAfterItsLifetime() throws {
        let registry = registry()
        registry.declare("town-hall", now: 0)
        registry.expire(now: (Self.ttl - 1) * Self.second)
        #expect(names(registry) == ["town-hall"])
        _ = try registry.admitViewer("town-hall", session: "v0", now: (Self.ttl - 1) * Self.second)
        registry.viewerEnded("town-hall", session: "v0", now: (Self.ttl - 1) * Self.second)

        // The viewer's departure restarted the lifetime: TTL - 1 s + TTL is the new end.
        registry.expire(now: (2 * Self.ttl - 2) * Self.second)
        #expect(names(registry) == ["town-hall"])
        registry.expire(now: (2 * Self.ttl - 1) * Self.second)
        #expect(names(registry).isEmpty)
        #expect(throws: SessionRequestError.unknownStream) {
            try registry.admitViewer("town-hall", session: "v1", now: (2 * Self.ttl) * Self.second)
        }
    }

    @Test func waitingViewersKeepADeclarationAlive() throws {
        let registry = registry()
        registry.declare("keynote", now: 0)
        _ = try registry.admitViewer("keynote", session: "v1", now: Self.second)
        registry.expire(now: 3 * Self.ttl * Self.second)
        #expect(names(registry) == ["keynote"])
        // A second viewer may still join the first one in the waiting room.
        _ = try registry.admitViewer("keynote", session: "v2", now: 3 * Self.ttl * Self.second)
    }

    @Test func aDeclaredStreamWhosePublisherArrivesIsSimplyLive() throws {
        let registry = registry()
        registry.declare("launch", now: 0)
        _ = try registry.reservePublisher("launch", session: "p1")
        registry.expire(now: 2 * Self.ttl * Self.second)
        #expect(registry.snapshot().first?.publishers == 1)

        // Once the publisher leaves, the ordinary grace period (300 s here) applies, not the TTL.
        registry.publisherEnded("launch", session: "p1", now: 2 * Self.ttl * Self.second)
        registry.expire(now: (2 * Self.ttl + 299) * Self.second)
        #expect(names(registry) == ["launch"])
        registry.expire(now: (2 * Self.ttl + 300) * Self.second)
        #expect(names(registry).isEmpty)
    }

    @Test func declaringAgainRenewsTheLifetime() {
        let registry = registry()
        registry.declare("daily", now: 0)
        registry.declare("daily", now: (Self.ttl - 1) * Self.second)
        registry.expire(now: (2 * Self.ttl - 2) * Self.second)
        #expect(names(registry) == ["daily"])
    }

    @Test func aNewLifetimeAppliesToStreamsAlreadyDeclared() {
        let registry = registry()
        registry.declare("short", now: 0)
        registry.setDeclaredStreamTTL(seconds: 30)
        registry.expire(now: 29 * Self.second)
        #expect(names(registry) == ["short"])
        registry.expire(now: 30 * Self.second)
        #expect(names(registry).isEmpty)
    }
}
