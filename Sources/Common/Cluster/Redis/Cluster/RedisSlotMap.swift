/// Which master serves each of the 16384 slots, as `CLUSTER SLOTS` reports it, and the
/// redirections (`MOVED`, `ASK`) that correct it between reloads.
public struct RedisSlotMap: Sendable, Equatable {
    /// One master's address; `host` is what `CLUSTER SLOTS` or a redirection named.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        /// The host name or address.
        public var host: String
        /// The TCP port.
        public var port: Int
        /// `host:port`.
        public var description: String { "\(host):\(port)" }
    }

    /// Index into ``masters`` per slot; -1 where no master serves the slot.
    public private(set) var owners: [Int16]
    /// The masters, in the order `CLUSTER SLOTS` first named them.
    public private(set) var masters: [Address]

    /// A map where no slot is served.
    public init() {
        owners = Array(repeating: -1, count: RedisHashSlot.count)
        masters = []
    }

    /// Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id...], replicas...]...]`. An
    /// empty host (the node does not know its own address) means `askedHost`, the host the
    /// question went to. Throws on any other shape.
    public init(clusterSlots reply: RedisReply, askedHost: String) throws(RedisError) {
        self.init()
        guard let ranges = reply.array else { throw .unexpectedReply("CLUSTER SLOTS answered \(reply)") }
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].int, let end = parts[1].int,
                0 <= start, start <= end, end < RedisHashSlot.count, let master = parts[2].array, master.count >= 2,
                let host = master[0].string, let port = master[1].int, (1...65535).contains(port)
            else { throw .unexpectedReply("CLUSTER SLOTS has a malformed range: \(range)") }
            let index = self.index(of: Address(host: host.isEmpty ? askedHost : host, port: Int(port)))
            for slot in Int(start)...Int(end) { owners[slot] = index }
        }
    }

    /// The master serving `slot`, if any.
    public func owner(of slot: Int) -> Address? {
        let index = owners[slot]
        return index < 0 ? nil : masters[Int(index)]
    }

    /// Whether every slot has a master.
    public var coversEverySlot: Bool { !owners.contains(-1) }

    /// Records that `slot` moved to `address` (a `MOVED` answer).
    mutating func move(slot: Int, to address: Address) {
        owners[slot] = index(of: address)
    }

    private mutating func index(of address: Address) -> Int16 {
        if let known = masters.firstIndex(of: address) { return Int16(known) }
        masters.append(address)
        return Int16(masters.count - 1)
    }
}

/// A Cluster's answer that sends a command elsewhere or asks for patience (Redis Cluster
/// specification, "Redirection and resharding").
public enum RedisClusterRedirect: Sendable, Equatable {
    /// `MOVED slot host:port`: the slot lives there now; update the map.
    case moved(slot: Int, to: RedisSlotMap.Address)
    /// `ASK slot host:port`: this one command goes there, after `ASKING`; the map stays.
    case ask(slot: Int, to: RedisSlotMap.Address)
    /// `TRYAGAIN` (keys of a multi-key command mid-migration) or `CLUSTERDOWN` (a failover is
    /// under way): wait a little and retry.
    case retryLater

    /// Reads an error reply's text; nil when it is no redirection. `fallbackHost` replaces an
    /// empty host (`MOVED 3999 :6381`, a node that does not know its own address).
    public init?(errorText text: String, fallbackHost: String) {
        if text.hasPrefix("TRYAGAIN") || text.hasPrefix("CLUSTERDOWN") {
            self = .retryLater
            return
        }
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[0] == "MOVED" || parts[0] == "ASK", let slot = Int(parts[1]),
            (0..<RedisHashSlot.count).contains(slot), let colon = parts[2].lastIndex(of: ":"),
            let port = Int(parts[2][parts[2].index(after: colon)...]), (1...65535).contains(port)
        else { return nil }
        let host = String(parts[2][..<colon])
        let address = RedisSlotMap.Address(host: host.isEmpty ? fallbackHost : host, port: port)
        self = parts[0] == "MOVED" ? .moved(slot: slot, to: address) : .ask(slot: slot, to: address)
    }
}
