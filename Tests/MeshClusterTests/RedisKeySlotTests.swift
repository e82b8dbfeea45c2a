import Testing

@testable import MeshCluster

/// Every Lua script and every `MULTI` the mesh runs keeps its keys in one Redis Cluster hash
/// slot (Redis Cluster specification, "Key distribution model" and "Hash tags"), or the
/// Cluster refuses it with `CROSSSLOT`.
@Suite("Redis key slots")
struct RedisKeySlotTests {
    /// Node ids and stream names of the shapes the topology and `StreamName` allow.
    static let ids = ["edge-a", "origin-1", "relay-eu-west-2", "recorder.eu", "e1", "x"]
    static let streams = ["town-hall", "event-2026_q1", "keynote~1", "s.t.r.e.a.m", "a"]

    static func slots(_ keys: [String]) -> Set<Int> { Set(keys.map(RedisHashSlot.of)) }

    @Test("CRC16 matches the specification's test vector: \"123456789\" → 0x31C3")
    func crc16Vector() {
        #expect(RedisHashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(RedisHashSlot.crc16([UInt8]()) == 0)
    }

    @Test("hash tags follow the specification's examples")
    func hashTags() {
        // "{user1000}.following" and "{user1000}.followers" share a slot: only "user1000" is hashed.
        #expect(RedisHashSlot.of("{user1000}.following") == RedisHashSlot.of("{user1000}.followers"))
        #expect(RedisHashSlot.of("{user1000}.following") == RedisHashSlot.of("user1000"))
        // "foo{}{bar}": the first {} is empty, so the whole key is hashed.
        #expect(RedisHashSlot.of("foo{}{bar}") == Int(RedisHashSlot.crc16(Array("foo{}{bar}".utf8)) & 0x3FFF))
        // "foo{{bar}}zap": the tag is "{bar"; "foo{bar}{zap}": the tag is "bar".
        #expect(RedisHashSlot.of("foo{{bar}}zap") == RedisHashSlot.of("{bar"))
        #expect(RedisHashSlot.of("foo{bar}{zap}") == RedisHashSlot.of("bar"))
        // No closing brace: the whole key.
        #expect(RedisHashSlot.of("foo{bar") == Int(RedisHashSlot.crc16(Array("foo{bar".utf8)) & 0x3FFF))
        #expect((0..<RedisHashSlot.count).contains(RedisHashSlot.of("any key at all")))
    }

    @Test("each node script (heartbeat, refresh, drain, eviction, reservation, death claim) touches one slot")
    func nodeScripts() {
        for id in Self.ids {
            #expect(Self.slots(NodeRegistry.nodeKeys(id)).count == 1, "heartbeat of \(id)")
            #expect(Self.slots(NodeRegistry.drainKeys(id)).count == 1, "refresh and drain of \(id)")
            #expect(Self.slots(NodeRegistry.evictionKeys(id)).count == 1, "eviction of \(id)")
            #expect(Self.slots(CapacityReservation.reserveKeys(id)).count == 1, "reservation on \(id)")
            #expect(Self.slots(NodeRegistry.deathKeys(id)).count == 1, "death claim of \(id)")
            // And it is the same slot for all of them, so they can never disagree on a node's master.
            let all =
                NodeRegistry.nodeKeys(id) + NodeRegistry.evictionKeys(id) + CapacityReservation.reserveKeys(id)
                + NodeRegistry.deathKeys(id)
            #expect(Self.slots(all).count == 1)
        }
        // Different nodes spread over the cluster rather than piling onto one slot.
        #expect(Set(Self.ids.map { RedisHashSlot.of(RedisKeys.node($0)) }).count > 1)
    }

    @Test("publisher claims, redirect quotas, rate buckets, revocations, audit and the outbox each use one slot")
    func meshWideScripts() {
        #expect(Self.slots(PublisherClaims.claimKeys).count == 1)
        for holder in [RedirectQuota.holder(address: "192.0.2.7"), RedirectQuota.holder(tokenDigest: "ab12")] {
            #expect(Self.slots([holder]).count == 1)
        }
        #expect(Self.slots([TokenRevocations.setKey, TokenRevocations.versionKey]).count == 1)
        #expect(Self.slots([AuditLog.streamKey]).count == 1)
        #expect(Self.slots([WebhookOutbox.streamKey]).count == 1)
    }

    @Test("the MULTI that replaces a stream's record touches one slot")
    func streamTransaction() {
        for name in Self.streams {
            let record = StreamRecord(name: name, originNode: "origin-1", tracks: [], startedAt: 1)
            let commands = StreamDirectory.registerTransaction(record, tracks: "[]")
            #expect(commands.first == ["MULTI"] && commands.last == ["EXEC"])
            let keys = commands.compactMap { RedisCommandKeys.firstKey(of: $0.map { Array($0.utf8) }) }
                .map { String(decoding: $0, as: UTF8.self) }
            #expect(keys.count == 2)
            #expect(Self.slots(keys + [RedisKeys.carriers(name), RedisKeys.streamViewers(name)]).count == 1)
        }
    }
}
