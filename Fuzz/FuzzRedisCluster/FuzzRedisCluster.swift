import FuzzDriver
import MeshCluster

// Input: first byte picks the parser. Its low two bits 3: the rest is a sentinel's
// `+switch-master` message, read for the master `meshcast`. Else even: the rest is an error
// reply's text, read as a Redis Cluster redirection (`MOVED`/`ASK slot host:port`, `TRYAGAIN`,
// `CLUSTERDOWN`); odd: the rest builds a `CLUSTER SLOTS` reply (a small grammar below), read as a
// slot map.
// Properties: no trap; a redirection's slot is in 0..<16384 and its port in 1...65535, and
// written back it reads the same; every slot of a map names a listed master, and re-encoding the
// map's ranges reads back to the same map; a switched master's port is in range and the message
// written back from it reads the same.

func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withFuzzInput(data, size) { bytes in
        guard let selector = bytes.first else { return }
        let rest = Array(bytes.dropFirst())
        if selector & 3 == 3 {
            checkSwitchMaster(String(decoding: rest, as: UTF8.self))
        } else if selector & 1 == 0 {
            checkRedirect(String(decoding: rest, as: UTF8.self))
        } else {
            checkSlotMap(reply(from: rest))
        }
    }
    return 0
}

func checkSwitchMaster(_ text: String) {
    let set = RedisSentinels(masterName: "meshcast", sentinels: [])
    guard let master = set.switchedMaster(text) else { return }
    guard case .tcp(let host, let port) = master.address, (1...65535).contains(port), !host.contains(" ") else {
        fuzzFailure("\(text) read as \(master)")
    }
    let again = set.switchedMaster("meshcast 0.0.0.0 1 \(host) \(port)")
    guard again == master else { fuzzFailure("\(master) written back read as \(String(describing: again))") }
}

func checkRedirect(_ text: String) {
    guard let redirect = RedisClusterRedirect(errorText: text, fallbackHost: "127.0.0.1") else { return }
    switch redirect {
    case .retryLater:
        return
    case .moved(let slot, let address), .ask(let slot, let address):
        guard (0..<RedisHashSlot.count).contains(slot), (1...65535).contains(address.port) else {
            fuzzFailure("\(text) read as \(redirect)")
        }
        let word = if case .moved = redirect { "MOVED" } else { "ASK" }
        let again = RedisClusterRedirect(errorText: "\(word) \(slot) \(address)", fallbackHost: "127.0.0.1")
        guard again == redirect else { fuzzFailure("\(redirect) written back read as \(String(describing: again))") }
    }
}

func checkSlotMap(_ reply: RedisReply) {
    guard let map = try? RedisSlotMap(clusterSlots: reply, askedHost: "127.0.0.1") else { return }
    var ranges: [RedisReply] = []
    var start = 0
    while start < RedisHashSlot.count {
        let owner = map.owners[start]
        guard Int(owner) < map.masters.count else {
            fuzzFailure("slot \(start) names master \(owner) of \(map.masters.count)")
        }
        var end = start
        while end + 1 < RedisHashSlot.count, map.owners[end + 1] == owner { end += 1 }
        if owner >= 0 {
            let master = map.masters[Int(owner)]
            ranges.append(
                .array([
                    .integer(Int64(start)), .integer(Int64(end)),
                    .array([.bulk(Array(master.host.utf8)), .integer(Int64(master.port))]),
                ]))
        }
        start = end + 1
    }
    guard let again = try? RedisSlotMap(clusterSlots: .array(ranges), askedHost: "127.0.0.1") else {
        fuzzFailure("the ranges of a map do not read back")
    }
    for slot in 0..<RedisHashSlot.count where again.owner(of: slot) != map.owner(of: slot) {
        fuzzFailure("slot \(slot) moved from \(String(describing: map.owner(of: slot))) on re-reading")
    }
}

/// Bytes → a reply: each range takes 7 bytes (start and end as 14-bit numbers, a host index of
/// four hosts, a port as 16 bits); a range whose first byte has its top bit set is malformed
/// instead (too short), to reach the error paths.
func reply(from bytes: [UInt8]) -> RedisReply {
    let hosts = ["127.0.0.1", "", "10.0.0.5", "::1"]
    var ranges: [RedisReply] = []
    var index = 0
    while index + 7 <= bytes.count {
        let chunk = bytes[index..<(index + 7)].map(Int.init)
        index += 7
        if chunk[0] & 0x80 != 0 {
            ranges.append(.array([.integer(Int64(chunk[1]))]))
            continue
        }
        let start = (chunk[0] << 8 | chunk[1]) & 0x7FFF
        let end = (chunk[2] << 8 | chunk[3]) & 0x7FFF
        let host = hosts[chunk[4] & 3]
        let port = chunk[5] << 8 | chunk[6]
        ranges.append(
            .array([
                .integer(Int64(start)), .integer(Int64(end)), .array([.bulk(Array(host.utf8)), .integer(Int64(port))]),
            ]))
    }
    return .array(ranges)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    testOneInput(data, size)
}

@_cdecl("FuzzRedisCluster_main")
func main(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    runFuzzer(argc: argc, argv: argv, testOneInput: testOneInput)
}
