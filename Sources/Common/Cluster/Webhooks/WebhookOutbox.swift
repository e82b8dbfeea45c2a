/// The webhooks' persistent outbox (issue 15, item 7): the Redis stream `{webhooks}:outbox`,
/// one entry per event and receiver, read through the consumer group `deliverers` so that each
/// entry is delivered by one node of the mesh at a time, at least once.
///
/// A node appends (``enqueue(_:targets:)``); every node's deliverer takes new entries
/// (``takeNew(consumer:count:)``) and acknowledges each one delivered (``acknowledge(_:)``).
/// An entry not acknowledged stays pending: ``takeDue(consumer:count:now:)`` claims it again,
/// from whichever node, once it has been idle for its back-off (1 s doubling to 60 s per
/// attempt), and after ``maximumAttempts`` it is acknowledged as given up. A node that died
/// holding entries loses nothing: they are claimed by another once idle long enough.
public struct WebhookOutbox: Sendable {
    /// The stream key.
    public static let streamKey = "{webhooks}:outbox"
    /// The consumer group.
    public static let group = "deliverers"
    /// Attempts before an entry is given up.
    public static let maximumAttempts = 8

    /// One delivery: the receiver, its secret's variable, the event and its JSON body.
    public struct Entry: Sendable, Equatable {
        /// The stream entry id (the delivery's idempotency key for the receiver).
        public var id: String
        /// The receiver's URL.
        public var url: String
        /// The environment variable of the signing secret.
        public var secretVariable: String
        /// The event name.
        public var event: String
        /// The JSON body.
        public var body: String
        /// How many times it was handed out so far (1 on the first attempt).
        public var attempts: Int
        /// An `https` receiver's CA file (``WebhookTarget/caFile``), if the topology names one.
        public var caFile: String? = nil
    }

    /// The mesh's Redis.
    public let redis: RedisClient
    /// The wait after a first failed attempt; it doubles with each further one.
    public let firstBackoffMilliseconds: Int64

    /// An outbox in `redis`; retries wait `firstBackoffMilliseconds` after the first attempt.
    public init(redis: RedisClient, firstBackoffMilliseconds: Int64 = 1000) {
        self.redis = redis
        self.firstBackoffMilliseconds = firstBackoffMilliseconds
    }

    /// Creates the consumer group (and the stream) unless they exist; the group starts at the
    /// stream's beginning, so entries appended before it existed are delivered too.
    public func prepare() async throws(RedisError) {
        do {
            _ = try await redis.command(["XGROUP", "CREATE", Self.streamKey, Self.group, "0", "MKSTREAM"])
        } catch .server(let text) where text.hasPrefix("BUSYGROUP") {
            // Another node, or an earlier life of this one, made it.
        }
    }

    /// Appends `body` for every target that takes `event`.
    public func enqueue(_ event: WebhookEvent, body: String, targets: [WebhookTarget]) async throws(RedisError) {
        for target in targets where target.events.contains(event) {
            _ = try await redis.command([
                "XADD", Self.streamKey, "MAXLEN", "~", "100000", "*", "url", target.url, "ca", target.caFile ?? "",
                "secret",
                target.secretVariable, "event", event.rawValue, "body", body,
            ])
        }
    }

    /// Entries no consumer has been given yet, now this `consumer`'s.
    public func takeNew(consumer: String, count: Int = 16) async throws(RedisError) -> [Entry] {
        let reply = try await redis.command([
            "XREADGROUP", "GROUP", Self.group, consumer, "COUNT", String(count), "STREAMS", Self.streamKey, ">",
        ])
        // A null reply: nothing new.
        guard let streams = reply.array, let stream = streams.first?.array, stream.count == 2,
            let entries = stream[1].array
        else { return [] }
        return entries.compactMap { Self.entry($0, attempts: 1) }
    }

    /// Pending entries whose back-off has passed, claimed for `consumer`; entries past
    /// ``maximumAttempts`` are acknowledged instead and returned in `givenUp`.
    public func takeDue(consumer: String, count: Int = 16) async throws(RedisError) -> (
        due: [Entry], givenUp: [String]
    ) {
        let reply = try await redis.command(["XPENDING", Self.streamKey, Self.group, "-", "+", String(count)])
        var due: [Entry] = []
        var givenUp: [String] = []
        for item in reply.array ?? [] {
            guard let fields = item.array, fields.count == 4, let id = fields[0].string,
                let idle = fields[2].int, let deliveries = fields[3].int
            else { continue }
            if deliveries >= Int64(Self.maximumAttempts) {
                try await acknowledge(id)
                givenUp.append(id)
                continue
            }
            let wait = Self.backoffMilliseconds(afterAttempts: Int(deliveries), first: firstBackoffMilliseconds)
            guard idle >= wait else { continue }
            let claimed = try await redis.command([
                "XCLAIM", Self.streamKey, Self.group, consumer, String(wait), id,
            ])
            for element in claimed.array ?? [] {
                if let entry = Self.entry(element, attempts: Int(deliveries) + 1) { due.append(entry) }
            }
        }
        return (due, givenUp)
    }

    /// Marks `id` delivered (or given up).
    public func acknowledge(_ id: String) async throws(RedisError) {
        _ = try await redis.command(["XACK", Self.streamKey, Self.group, id])
    }

    /// `first` (1 s) after the first attempt, doubling, at most 60 s.
    public static func backoffMilliseconds(afterAttempts attempts: Int, first: Int64 = 1000) -> Int64 {
        min(60_000, first << Int64(min(max(attempts - 1, 0), 6)))
    }

    private static func entry(_ reply: RedisReply, attempts: Int) -> Entry? {
        guard let parts = reply.array, parts.count == 2, let id = parts[0].string, let flat = parts[1].array else {
            return nil
        }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) {
            if let name = flat[index].string, let value = flat[index + 1].string { fields[name] = value }
        }
        guard let url = fields["url"], let secret = fields["secret"], let event = fields["event"],
            let body = fields["body"]
        else { return nil }
        let ca = fields["ca"].flatMap { $0.isEmpty ? nil : $0 }
        return Entry(
            id: id, url: url, secretVariable: secret, event: event, body: body, attempts: attempts, caFile: ca)
    }
}
