import Glibc

/// Blocking connections to a Redis Cluster's masters, routed by slot (Redis Cluster
/// specification, "Redirection and resharding"): the slot map comes from `CLUSTER SLOTS` on a
/// seed; each command goes to the master of its first key's slot (keyless ones to any master);
/// `MOVED` updates the map and reloads it; `ASK` sends the one command there after `ASKING`;
/// `TRYAGAIN`, `CLUSTERDOWN` and a master that cannot be reached are retried with a growing pause
/// and a fresh map, for at most ``retryBudget``, which covers a replica's promotion.
///
/// Past the budget the failure is thrown; `RedisClient` then drops this whole channel and
/// connects again, as it does for a lost standalone server. Not thread-safe, like
/// `RedisConnection`: the client's queue owns it.
final class RedisClusterConnection: RedisCommandChannel {
    let seeds: RedisClusterSeeds
    private(set) var endpoint: RedisEndpoint
    private(set) var map: RedisSlotMap
    private var connections: [RedisSlotMap.Address: RedisConnection] = [:]
    private let connectTimeout: Duration
    private let ioTimeout: Duration
    /// How long one command keeps retrying redirections and unreachable masters.
    let retryBudget: Duration
    /// How many times the map was loaded (a figure for tests and logs).
    private(set) var mapLoads = 0

    /// Loads the slot map from the first seed that answers with one covering every slot.
    init(seeds: RedisClusterSeeds, connectTimeout: Duration, ioTimeout: Duration) throws(RedisError) {
        guard let first = seeds.nodes.first else { throw .invalidURL("a Redis Cluster target without nodes") }
        self.seeds = seeds
        self.endpoint = first
        self.map = RedisSlotMap()
        self.connectTimeout = connectTimeout
        self.ioTimeout = ioTimeout
        self.retryBudget = max(ioTimeout, .seconds(2))
        try reloadMap()
    }

    deinit { close() }

    func close() {
        for connection in connections.values { connection.close() }
        connections = [:]
    }

    // MARK: Commands

    func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        let reply = try execute([arguments], slot: Self.slot(of: [arguments]))[0]
        if case .error(let text) = reply { throw .server(text) }
        return reply
    }

    /// Groups the commands by master (a `MULTI`…`EXEC` block stays whole, on its first key's
    /// master), sends one pipeline per master, and runs again one by one any command whose
    /// master was unreachable or redirected it. Replies come back in the callers' order.
    func pipeline(bytes commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        let units = Self.units(of: commands)
        var replies = [RedisReply?](repeating: nil, count: commands.count)
        var byMaster: [RedisSlotMap.Address: [Range<Int>]] = [:]
        var order: [RedisSlotMap.Address] = []
        for unit in units {
            guard let master = owner(of: Self.slot(of: Array(commands[unit]))) else { continue }
            if byMaster[master] == nil { order.append(master) }
            byMaster[master, default: []].append(unit)
        }
        for master in order {
            let group = byMaster[master] ?? []
            guard let connection = try? connection(to: master),
                let answers = try? connection.pipeline(bytes: group.flatMap { Array(commands[$0]) })
            else {
                dropConnection(to: master)
                continue
            }
            var next = answers.startIndex
            for unit in group {
                let unitReplies = Array(answers[next..<(next + unit.count)])
                next += unit.count
                if redirect(in: unitReplies, from: master) == nil {
                    for (offset, reply) in unitReplies.enumerated() { replies[unit.lowerBound + offset] = reply }
                }
            }
        }
        for unit in units where replies[unit.lowerBound] == nil {
            let unitCommands = Array(commands[unit])
            let answers = try execute(unitCommands, slot: Self.slot(of: unitCommands))
            for (offset, reply) in answers.enumerated() { replies[unit.lowerBound + offset] = reply }
        }
        return replies.map { $0 ?? .null }
    }

    /// Runs one unit (a command, or a `MULTI` block) on the master of `slot` (any master when
    /// nil), following redirections until it gets an answer or the budget is spent.
    private func execute(_ unit: [[[UInt8]]], slot: Int?) throws(RedisError) -> [RedisReply] {
        let deadline = ContinuousClock.now + retryBudget
        var asking: RedisSlotMap.Address?
        var pause = Duration.milliseconds(25)
        var last: RedisError?
        var redirections = 0
        while true {
            if let target = asking ?? owner(of: slot) {
                do throws(RedisError) {
                    let connection = try connection(to: target)
                    let answers: [RedisReply]
                    if asking != nil {
                        answers = Array(try connection.pipeline(bytes: [[Array("ASKING".utf8)]] + unit).dropFirst())
                    } else {
                        answers = try connection.pipeline(bytes: unit)
                    }
                    asking = nil
                    let redirect = redirect(in: answers, from: target)
                    if redirect != nil { redirections += 1 }
                    // A map that keeps sending the command around: give Redis's answer back.
                    if redirections > 16 { return answers }
                    switch redirect {
                    case nil:
                        return answers
                    case .moved(let movedSlot, let address):
                        map.move(slot: movedSlot, to: address)
                        try? reloadMap()
                        continue
                    case .ask(_, let address) where unit.count == 1:
                        asking = address
                        continue
                    case .ask, .retryLater:
                        if ContinuousClock.now + pause > deadline { return answers }
                    }
                } catch let error where error.isConnectionFailure {
                    dropConnection(to: target)
                    asking = nil
                    last = error
                }
            } else {
                last = .server("CLUSTERDOWN no master serves slot \(slot.map(String.init) ?? "-") in the map")
            }
            guard ContinuousClock.now + pause <= deadline else {
                throw last ?? .connection("Redis Cluster \(seeds): no answer within \(retryBudget)")
            }
            sleep(for: pause)
            pause = min(pause * 2, .milliseconds(400))
            try? reloadMap()
        }
    }

    // MARK: The map

    /// Asks the masters known now, then the seeds, for `CLUSTER SLOTS`; keeps the first answer
    /// that covers every slot (a node that lost touch with the others may answer with holes).
    func reloadMap() throws(RedisError) {
        var problems: [String] = []
        let known = map.masters.map { RedisEndpoint(address: .tcp(host: $0.host, port: $0.port)) }
        for endpoint in known + seeds.nodes {
            guard case .tcp(let host, let port) = endpoint.address else { continue }
            do throws(RedisError) {
                let connection = try connection(to: RedisSlotMap.Address(host: host, port: port))
                let loaded = try RedisSlotMap(
                    clusterSlots: try connection.command(["CLUSTER", "SLOTS"]), askedHost: host)
                guard loaded.coversEverySlot else {
                    problems.append("\(host):\(port) serves only part of the slots")
                    continue
                }
                map = loaded
                self.endpoint = endpoint
                mapLoads += 1
                pruneConnections()
                return
            } catch {
                if error.isConnectionFailure { dropConnection(to: RedisSlotMap.Address(host: host, port: port)) }
                problems.append("\(host):\(port): \(error)")
            }
        }
        throw .connection("no node of \(seeds) gave a full slot map: \(problems.joined(separator: "; "))")
    }

    private func owner(of slot: Int?) -> RedisSlotMap.Address? {
        guard let slot else {
            // A keyless command (`SCRIPT LOAD`, `PING`): any master that serves a slot.
            return map.owners.first { $0 >= 0 }.map { map.masters[Int($0)] }
        }
        return map.owner(of: slot)
    }

    /// The redirection in a unit's answers, if any: the top-level error of a command, or an
    /// error queued inside a `MULTI` (whose `EXEC` then aborts).
    private func redirect(in answers: [RedisReply], from address: RedisSlotMap.Address) -> RedisClusterRedirect? {
        for answer in answers {
            if case .error(let text) = answer,
                let redirect = RedisClusterRedirect(errorText: text, fallbackHost: address.host)
            {
                return redirect
            }
        }
        return nil
    }

    // MARK: Connections

    private func connection(to address: RedisSlotMap.Address) throws(RedisError) -> RedisConnection {
        if let open = connections[address], open.isOpen { return open }
        let connection = try RedisConnection(
            endpoint: RedisEndpoint(address: .tcp(host: address.host, port: address.port), password: seeds.password),
            connectTimeout: connectTimeout, ioTimeout: ioTimeout)
        connections[address] = connection
        return connection
    }

    private func dropConnection(to address: RedisSlotMap.Address) {
        connections.removeValue(forKey: address)?.close()
    }

    /// Closes connections to servers that are no longer masters (a demoted master, a seed that
    /// is a replica), so the client holds one connection per master.
    private func pruneConnections() {
        let masters = Set(map.masters)
        for address in connections.keys where !masters.contains(address) { dropConnection(to: address) }
    }

    // MARK: Routing

    /// The slot of the first keyed command of a unit; nil when none has a key.
    static func slot(of unit: [[[UInt8]]]) -> Int? {
        for arguments in unit {
            if let key = RedisCommandKeys.firstKey(of: arguments) { return RedisHashSlot.of(bytes: key) }
        }
        return nil
    }

    /// Splits a pipeline into units: a `MULTI` through its `EXEC` or `DISCARD`, else one command.
    static func units(of commands: [[[UInt8]]]) -> [Range<Int>] {
        var units: [Range<Int>] = []
        var index = 0
        while index < commands.count {
            var end = index + 1
            if Self.name(commands[index]) == "MULTI" {
                while end < commands.count, !["EXEC", "DISCARD"].contains(Self.name(commands[end - 1])) { end += 1 }
            }
            units.append(index..<end)
            index = end
        }
        return units
    }

    private static func name(_ arguments: [[UInt8]]) -> String {
        arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
    }

    private func sleep(for duration: Duration) {
        usleep(useconds_t(duration / .microseconds(1)))
    }
}
