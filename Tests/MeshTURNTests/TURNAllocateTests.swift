import MeshTURN
import MeshWire
import Testing

/// Allocate (RFC 8656 §7.2), Refresh (§7.3), lifetimes, quotas and allocation events.
@Suite struct TURNAllocateTests {
    /// The success carries the relayed address from the pool, the default lifetime, the
    /// client's reflexive address; the open event names who and from where.
    @Test func allocateSuccessFields() throws {
        var harness = try Harness()
        let request = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.relayed == STUNTransportAddress(ip: Fixture.relayIP, port: 50000))
        #expect(response.lifetime == 600)
        #expect(response.mapped == Fixture.client)
        let fiveTuple = TURNFiveTuple(client: Fixture.client, transport: .udp)
        #expect(
            harness.server.takeEvents() == [
                .opened(username: harness.username, fiveTuple: fiveTuple, relayed: response.relayed!, lifetime: 600)
            ])
        #expect(harness.server.relayedAddress(of: fiveTuple) == response.relayed)
    }

    /// Lifetimes: less than the default gets the default, more than the maximum the maximum.
    @Test(arguments: [(UInt32(0), UInt32(600)), (30, 600), (1200, 1200), (3600, 3600), (86400, 3600)])
    func lifetimeIsClamped(requested: UInt32, granted: UInt32) throws {
        var harness = try Harness()
        let request = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendLifetime(requested)
        }
        #expect(try harness.parse(try #require(harness.send(request).bytes)).lifetime == granted)
    }

    /// A second Allocate on the same 5-tuple: 437; a retransmission of the first: the same success.
    @Test func secondAllocateIs437RetransmissionRepeats() throws {
        var harness = try Harness()
        let first = try harness.request(.allocate) { try $0.appendRequestedTransport() }
        let original = try harness.parse(try #require(harness.send(first).bytes))
        let again = try harness.parse(try #require(harness.send(first).bytes))
        #expect(again.errorCode == nil)
        #expect(again.relayed == original.relayed)
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport() }) == 437)
        #expect(harness.server.allocationCount == 1)
    }

    /// REQUESTED-TRANSPORT missing: 400; TCP (6): 442 (RFC 8656 §7.2 step 3).
    @Test func requestedTransportRules() throws {
        var harness = try Harness()
        #expect(try harness.errorCode(of: try harness.request(.allocate)) == 400)
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport(6) }) == 442)
        #expect(harness.server.allocationCount == 0)
    }

    /// REQUESTED-ADDRESS-FAMILY: IPv6 without an IPv6 relay address, or an unknown family: 440.
    @Test func addressFamilies() throws {
        var harness = try Harness()
        let v6 = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendRequestedAddressFamily(.ipv6)
        }
        #expect(try harness.errorCode(of: v6) == 440)
        let unknown = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendRequestedAddressFamily(STUNAddressFamily(rawValue: 3))
        }
        #expect(try harness.errorCode(of: unknown) == 440)
        var dual = try Harness(ipv6: .v6(high: 0x2001_0DB8_0000_0000, low: 1))
        let relayed = try dual.allocate { try $0.appendRequestedAddressFamily(.ipv6) }
        #expect(relayed?.ip == .v6(high: 0x2001_0DB8_0000_0000, low: 1))
    }

    /// ADDITIONAL-ADDRESS-FAMILY: IPv4 is granted and IPv6 refused with ADDRESS-ERROR-CODE 440;
    /// together with REQUESTED-ADDRESS-FAMILY it is a 400 (RFC 8656 §7.2).
    @Test func additionalAddressFamily() throws {
        var harness = try Harness()
        let both = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendRequestedAddressFamily(.ipv4)
            try builder.appendAdditionalAddressFamily()
        }
        #expect(try harness.errorCode(of: both) == 400)
        let request = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendAdditionalAddressFamily()
        }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.relayed?.ip == Fixture.relayIP)
        #expect(response.addressErrorCode == 440)
    }

    /// DONT-FRAGMENT when the relay cannot set DF: 420 listing it (RFC 8656 §7.2 step 4); when
    /// it can, accepted.
    @Test func dontFragment() throws {
        var harness = try Harness()
        let request = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendDontFragment()
        }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.errorCode == 420)
        #expect(response.unknownAttributes == [.dontFragment])
        var configuration = TURNServerConfiguration()
        configuration.supportsDontFragment = true
        var capable = try Harness(configuration: configuration)
        #expect(try capable.allocate { try $0.appendDontFragment() } != nil)
    }

    /// EVEN-PORT gives an even port; with R the next port is held and a RESERVATION-TOKEN
    /// returned, which a second Allocate redeems for exactly that port (RFC 8656 §7.2, §18.10).
    @Test func evenPortAndReservation() throws {
        var harness = try Harness(ports: 50001...50009)
        let request = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendEvenPort(reserveNextPort: true)
        }
        let response = try harness.parse(try #require(harness.send(request).bytes))
        #expect(response.relayed?.port == 50002)
        let token = try #require(response.reservationToken)
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        let redeemed = try harness.allocate { try $0.appendReservationToken(token) }
        #expect(redeemed?.port == 50003)
        // The token is spent: a third use is 508.
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        let spent = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendReservationToken(token)
        }
        #expect(try harness.errorCode(of: spent) == 508)
        let conflicting = try harness.request(.allocate) { builder in
            try builder.appendRequestedTransport()
            try builder.appendReservationToken(token)
            try builder.appendEvenPort(reserveNextPort: false)
        }
        #expect(try harness.errorCode(of: conflicting) == 400)
    }

    /// Quotas: allocations per credential id and per node are capped with 486; an exhausted
    /// relay port range gives 508.
    @Test func quotas() throws {
        var configuration = TURNServerConfiguration()
        configuration.maxAllocationsPerCredential = 2
        configuration.maxAllocationsPerNode = 3
        var harness = try Harness(configuration: configuration, ports: 50000...50003)
        func fromNewPort(_ harness: inout Harness) {
            harness.client.port += 1
            harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        }
        #expect(try harness.allocate() != nil)
        fromNewPort(&harness)
        #expect(try harness.allocate() != nil)
        fromNewPort(&harness)
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport() }) == 486)
        let bob = try TURNRESTCredential(secret: Fixture.secret, id: "bob", expiry: Fixture.start.adding(seconds: 60))
        let asBob = { (harness: Harness) in
            try harness.request(.allocate, username: bob.username, password: bob.password) {
                try $0.appendRequestedTransport()
            }
        }
        #expect(try harness.errorCode(of: try asBob(harness)) == nil)
        fromNewPort(&harness)
        #expect(try harness.errorCode(of: try asBob(harness)) == 486)
        var tiny = try Harness(ports: 50000...50000)
        #expect(try tiny.allocate() != nil)
        fromNewPort(&tiny)
        #expect(try tiny.errorCode(of: try tiny.request(.allocate) { try $0.appendRequestedTransport() }) == 508)
    }

    /// A malformed attribute read while allocating (here a 2-byte LIFETIME: RFC 8656 §18.2
    /// says 4) is 400 and holds no relay port: Allocates like it, more than the range has ports,
    /// leave a good one its port (it got 508 when each 400 kept one).
    @Test func aMalformedAllocateHoldsNoPort() throws {
        var harness = try Harness(ports: 50000...50001)
        for _ in 0..<3 {
            let malformed = try harness.request(.allocate) { builder in
                try builder.appendRequestedTransport()
                try builder.appendText(.lifetime, "ab")
            }
            #expect(try harness.errorCode(of: malformed) == 400)
            harness.client.port += 1
            harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        }
        #expect(harness.server.allocationCount == 0)
        #expect(try harness.allocate() == STUNTransportAddress(ip: Fixture.relayIP, port: 50000))
    }

    /// Refresh: extends the lifetime; 0 deletes and reports the close; without an allocation
    /// 437; with another user's credential 441; another family 443 (RFC 8656 §7.3).
    @Test func refresh() throws {
        var harness = try Harness()
        let relayed = try #require(try harness.allocate())
        let extend = try harness.request(.refresh) { try $0.appendLifetime(1800) }
        #expect(try harness.parse(try #require(harness.send(extend).bytes)).lifetime == 1800)
        let family = try harness.request(.refresh) { try $0.appendRequestedAddressFamily(.ipv6) }
        #expect(try harness.errorCode(of: family) == 443)
        let bob = try TURNRESTCredential(secret: Fixture.secret, id: "bob", expiry: Fixture.start.adding(seconds: 60))
        let wrongUser = try harness.request(.refresh, username: bob.username, password: bob.password)
        #expect(try harness.errorCode(of: wrongUser) == 441)
        _ = harness.server.takeEvents()
        harness.now = harness.now.adding(seconds: 5)
        let delete = try harness.request(.refresh) { try $0.appendLifetime(0) }
        let response = try harness.parse(try #require(harness.send(delete).bytes))
        #expect(response.errorCode == nil)
        #expect(response.lifetime == 0)
        #expect(harness.server.allocationCount == 0)
        let events = harness.server.takeEvents()
        #expect(events.count == 1)
        guard case let .closed(_, _, closedRelayed, reason, duration, _, _, _) = events.first else {
            Issue.record("no close event")
            return
        }
        #expect(closedRelayed == relayed)
        #expect(reason == .refreshedToZero)
        #expect(duration == 5000)
        #expect(try harness.errorCode(of: try harness.request(.refresh)) == 437)
    }

    /// When the session a credential was minted for ends, its allocations end with it (and
    /// only those), and the credential is refused afterwards: the id after `expiry:` names the
    /// session.
    @Test func sessionEndRemovesItsCredentialsAllocations() throws {
        var harness = try Harness()
        let relayed = try #require(try harness.allocate())
        let bob = try TURNRESTCredential(secret: Fixture.secret, id: "bob", expiry: Fixture.start.adding(seconds: 60))
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(
            try harness.errorCode(
                of: try harness.request(.allocate, username: bob.username, password: bob.password) {
                    try $0.appendRequestedTransport()
                }) == nil)
        _ = harness.server.takeEvents()
        harness.server.removeAllocations(credentialID: "alice", now: harness.now)
        #expect(harness.server.allocationCount == 1)
        let events = harness.server.takeEvents()
        guard case let .closed(username, _, closedRelayed, reason, _, _, _, _) = events.first, events.count == 1 else {
            Issue.record("expected one close event, got \(events)")
            return
        }
        #expect(username == harness.username)
        #expect(closedRelayed == relayed)
        #expect(reason == .sessionEnded)
        harness.server.removeAllocations(credentialID: "nobody", now: harness.now)
        #expect(harness.server.allocationCount == 1)
        // The ended session's credential opens nothing more: 401 (a new session gets a new one).
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(try harness.errorCode(of: try harness.request(.allocate) { try $0.appendRequestedTransport() }) == 401)
    }

    /// An allocation that is not refreshed ends at its lifetime, and its port is reused.
    @Test func allocationExpires() throws {
        var harness = try Harness(ports: 50000...50000)
        #expect(try harness.allocate() != nil)
        harness.now = harness.now.adding(seconds: 599)
        harness.server.expire(now: harness.now)
        #expect(harness.server.allocationCount == 1)
        harness.now = harness.now.adding(seconds: 1)
        harness.server.expire(now: harness.now)
        #expect(harness.server.allocationCount == 0)
        harness.client.port += 1
        harness.nonce = harness.nonces.issue(for: harness.client, now: harness.now)
        #expect(try harness.allocate()?.port == 50000)
    }
}

/// The record of ended sessions' credentials is bounded in count and in time.
@Suite struct TURNEndedCredentialsTests {
    @Test func boundedByCapacityAndRetention() {
        var ended = TURNEndedCredentials(capacity: 2, retentionSeconds: 60)
        let start = Fixture.start
        ended.insert(Array("a".utf8), now: start)
        ended.insert(Array("b".utf8), now: start)
        ended.insert(Array("c".utf8), now: start)
        #expect(!ended.contains(Array("a".utf8), now: start))
        #expect(ended.contains(Array("b".utf8), now: start))
        #expect(ended.contains(Array("c".utf8), now: start.adding(seconds: 59)))
        #expect(!ended.contains(Array("c".utf8), now: start.adding(seconds: 60)))
    }
}
