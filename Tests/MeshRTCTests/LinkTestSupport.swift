import MeshCrypto
import MeshRTC
import MeshWire

/// Fixed link keys for the in-process tests (the generator is tested on its own).
enum LinkTestKeys {
    static func keys(seed: UInt8) -> LinkKeys {
        func key(_ offset: UInt8) -> SRTPMasterKey {
            // 16-byte key and 12-byte salt, RFC 7714 §14.2.
            let key = (0..<16).map { UInt8(truncatingIfNeeded: Int(seed) &* 31 &+ Int(offset) &+ $0) }
            let salt = (0..<12).map { UInt8(truncatingIfNeeded: Int(seed) &* 17 &+ Int(offset) &+ $0 &* 3) }
            do { return try SRTPMasterKey(profile: .aeadAES128GCM, key: key, salt: salt) } catch {
                fatalError("\(error)")
            }
        }
        return LinkKeys(downstream: key(1), upstream: key(101))
    }
}

/// A small deterministic generator (SplitMix64), so a loss pattern is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// One datagram on the fake wire, due at `deliverAt`.
struct WireDatagram {
    var bytes: [UInt8]
    var deliverAt: UInt64
}

/// Two link ends wired in-process: a delay line each way, optional random loss, a hand-driven
/// clock. Plays the network the way swift-nio's EmbeddedChannel plays the kernel.
final class LinkHarness {
    static let millisecond: UInt64 = 1_000_000

    let sender: LinkSender
    let receiver: LinkReceiver
    /// The upstream node's retransmission buffers, by mesh SSRC.
    var upstreamHistories: [UInt32: PacketHistory] = [:]
    /// The downstream node's buffers, by mesh SSRC.
    var downstreamHistories: [UInt32: PacketHistory] = [:]
    var now: UInt64 = 1_000_000_000
    /// One-way delay of each direction.
    var oneWayDelay: UInt64 = 10 * millisecond
    /// Probability of losing a datagram, each direction.
    var lossRate = 0.0
    var random = SeededGenerator(state: 42)
    var toDownstream: [WireDatagram] = []
    var toUpstream: [WireDatagram] = []
    /// Media the downstream end accepted: SSRC → sequence numbers (first arrival each).
    var delivered: [UInt32: Set<UInt16>] = [:]
    var deliveredBytes: [UInt32: [UInt16: [UInt8]]] = [:]
    var inbound: [LinkReceiver.Inbound] = []
    /// Key frame requests that reached the upstream end.
    var keyframeRequests: [UInt32] = []
    var lost = 0

    init(
        senderKeys: LinkKeys = LinkTestKeys.keys(seed: 1),
        receiverKeys: LinkKeys = LinkTestKeys.keys(seed: 1), historyCapacity: Int = 4096,
        senderConfiguration: LinkConfiguration = .init(), receiverConfiguration: LinkConfiguration = .init()
    ) throws {
        sender = try LinkSender(keys: senderKeys, linkSSRC: 0x5E4D_0001, configuration: senderConfiguration)
        receiver = try LinkReceiver(
            keys: receiverKeys, linkSSRC: 0xD0E4_0002, now: now, configuration: receiverConfiguration)
        self.historyCapacity = historyCapacity
    }

    let historyCapacity: Int

    /// Subscribes `ssrc` at both ends, each with its own retransmission buffer.
    func subscribe(_ ssrc: UInt32, codec: CodecKind = .vp8) {
        let upstream = PacketHistory(capacity: historyCapacity)
        let downstream = PacketHistory(capacity: historyCapacity)
        upstreamHistories[ssrc] = upstream
        downstreamHistories[ssrc] = downstream
        sender.subscribe(ssrc: ssrc, history: upstream)
        receiver.addTrack(ssrc: ssrc, codec: codec, history: downstream)
    }

    /// What the origin does with a packet: store it for retransmission, then forward it.
    @discardableResult
    func forward(_ packet: [UInt8]) -> Bool {
        let sequence = UInt16(packet[2]) << 8 | UInt16(packet[3])
        let ssrc = packet.withRaw { $0.bigEndianUInt32(at: 8) }
        packet.withRaw {
            _ = upstreamHistories[ssrc]?.store($0, sequence: sequence, arrival: now, isKeyframeStart: false)
        }
        let buffer = makeOutputBuffer(2048)
        defer { buffer.deallocate() }
        guard let length = packet.withRaw({ sender.protect($0, into: buffer, now: now) }) else { return false }
        put(Array(buffer[0..<length]), downstream: true)
        return true
    }

    func put(_ bytes: [UInt8], downstream: Bool) {
        if lossRate > 0, Double.random(in: 0..<1, using: &random) < lossRate {
            lost += 1
            return
        }
        let datagram = WireDatagram(bytes: bytes, deliverAt: now + oneWayDelay)
        if downstream { toDownstream.append(datagram) } else { toUpstream.append(datagram) }
    }

    /// Delivers every datagram due by `now` to its end; answers go back on the wire.
    func deliverDue() {
        let buffer = makeOutputBuffer(2048)
        defer { buffer.deallocate() }
        while let index = toDownstream.firstIndex(where: { $0.deliverAt <= now }) {
            let datagram = toDownstream.remove(at: index)
            buffer.copyBytes(from: datagram.bytes)
            let result = receiver.receive(buffer, length: datagram.bytes.count, now: now)
            inbound.append(result)
            if case .media(let ssrc, let length, _) = result {
                let sequence = UInt16(buffer[2]) << 8 | UInt16(buffer[3])
                if delivered[ssrc, default: []].insert(sequence).inserted {
                    deliveredBytes[ssrc, default: [:]][sequence] = Array(buffer[0..<length])
                }
            }
        }
        while let index = toUpstream.firstIndex(where: { $0.deliverAt <= now }) {
            let datagram = toUpstream.remove(at: index)
            buffer.copyBytes(from: datagram.bytes)
            sender.receiveFeedback(
                buffer, length: datagram.bytes.count, now: now,
                send: { put(Array($0), downstream: true) }, keyframeRequested: { keyframeRequests.append($0) })
        }
    }

    /// Runs both ends' timers at `now`.
    func pollEnds(ntpTime: UInt64? = nil) {
        sender.poll(now: now, ntpTime: ntpTime ?? Self.ntp(now)) { put(Array($0), downstream: true) }
        receiver.poll(now: now) { put(Array($0), downstream: false) }
    }

    /// Advances the clock by `step`, delivering and polling every millisecond on the way.
    func advance(by step: UInt64) {
        let end = now + step
        while now < end {
            now += Self.millisecond
            deliverDue()
            pollEnds()
        }
    }

    /// An NTP timestamp (RFC 3550 §4) for a monotonic time: seconds since 1900 in the top 32
    /// bits, the fraction below; the offset is arbitrary but fixed.
    static func ntp(_ monotonic: UInt64) -> UInt64 {
        let seconds = monotonic / 1_000_000_000 + 3_900_000_000
        let fraction = (monotonic % 1_000_000_000) << 32 / 1_000_000_000
        return seconds << 32 | fraction
    }

    /// A VP8 packet of track `ssrc` (RFC 3550 §5.1 header, RFC 7741 payload) of `size` bytes.
    static func packet(ssrc: UInt32, sequence: UInt16, size: Int = 1000, keyframe: Bool = false) -> [UInt8] {
        let descriptor = SFUTestPacket.vp8(pictureID: sequence & 0x7FFF, tl0: 0, keyframe: keyframe, body: [])
        let body = (0..<max(size - 12 - descriptor.count, 0)).map { UInt8(truncatingIfNeeded: Int(sequence) &+ $0) }
        return SFUTestPacket.rtp(
            sequence: sequence, timestamp: UInt32(sequence) &* 3000, ssrc: ssrc, payload: descriptor + body)
    }
}
