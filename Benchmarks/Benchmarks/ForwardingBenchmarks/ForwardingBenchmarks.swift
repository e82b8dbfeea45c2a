import Benchmark
import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshWire

// The SFU forwarding path with no sockets: one publisher stream of 1200-byte VP8 packets is
// stored in a PacketHistory, and each of N viewers' ViewerTrackForwarder loads, rewrites
// (SSRC, sequence, timestamp, PT, fresh abs-send-time + mid extensions, VP8 picture id) and
// protects it in place with its own SRTPSender (AEAD_AES_128_GCM) into a preallocated batch.
// One scaled iteration is one packet forwarded to one viewer (scaling factor kilo: times are
// per forwarded packet, mallocs per 1000 forwarded packets; the target is zero).

/// A 1200-byte VP8 RTP packet as Chromium sends it: abs-send-time (id 2) and transport-wide
/// sequence number (id 3) extensions, VP8 descriptor with a 15-bit picture id and TL0PICIDX.
func publisherPacket(keyframe: Bool) -> [UInt8] {
    var packet: [UInt8] = [
        0x90, 0x60, 0x00, 0x00,  // v=2, p=0, x=1, cc=0; m=0, pt=96; seq (set per packet)
        0x00, 0x01, 0x00, 0x00,  // timestamp
        0xCA, 0xFE, 0xF0, 0x0D,  // SSRC
        0xBE, 0xDE, 0x00, 0x02,  // RFC 8285 one-byte form, 2 words
        0x22, 0x01, 0x02, 0x03,  // id=2 len=3 abs-send-time
        0x31, 0x00, 0x07, 0x00,  // id=3 len=2 transport-cc seq=7, padding
    ]
    packet += [0x90, 0xC0, 0x80, 0x05, 0x01]  // VP8: X=1 S=1 PID=0; I=1 L=1; picture id 5 (M=1); TL0PICIDX 1
    packet += keyframe ? [0x10, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01] : [0x11, 0x00, 0x00]
    packet += [UInt8](repeating: 0x42, count: 1200 - packet.count)
    return packet
}

/// One viewer: its forwarder and its SRTP context (non-copyable, so held by a class).
final class Viewer {
    let forwarder: ViewerTrackForwarder
    var sender: SRTPSender

    init(index: Int, history: PacketHistory) throws {
        forwarder = ViewerTrackForwarder(
            stream: .init(
                ssrc: 0x1000 + UInt32(index), payloadType: 96, absSendTimeID: 2, midID: 4, mid: Array("0".utf8),
                initialSequence: UInt16(index) * 100, initialTimestamp: UInt32(index) * 1000),
            histories: [history])
        let profile = SRTPProfile.aeadAES128GCM
        sender = try SRTPSender(
            SRTPMasterKey(
                profile: profile, key: [UInt8](repeating: UInt8(index & 0xFF), count: profile.masterKeyLength),
                salt: [UInt8](repeating: 0x22, count: profile.masterSaltLength)))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 5,
        scalingFactor: .kilo, maxDuration: .seconds(2))

    // The same path with a million packets per sample: if the per-sample malloc count is the
    // same as with a thousand, none of it is per packet.
    let perPacketCheck = Benchmark.Configuration(
        metrics: [.mallocCountTotal], warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(10),
        maxIterations: 3)
    let runs: [(viewers: Int, configuration: Benchmark.Configuration?)] = [
        (1, nil), (10, nil), (50, nil), (10, perPacketCheck),
    ]
    for (viewerCount, configuration) in runs {
        let name =
            configuration == nil
            ? "Forward 1200 B VP8 to \(viewerCount) viewers, SRTP GCM"
            : "Forward 1200 B VP8 to \(viewerCount) viewers, SRTP GCM, 10^6 packets per sample"
        Benchmark(name, configuration: configuration ?? Benchmark.defaultConfiguration) { benchmark in
            let history = PacketHistory(capacity: 1024, slotSize: 1500)
            let viewers = try (0..<viewerCount).map { try Viewer(index: $0, history: history) }
            let slotSize = 1500
            let batch = UnsafeMutableRawBufferPointer.allocate(byteCount: viewerCount * slotSize, alignment: 16)
            defer { batch.deallocate() }
            let trailer = SRTPProfile.aeadAES128GCM.rtpTrailerLength
            let delta = publisherPacket(keyframe: false)
            let key = publisherPacket(keyframe: true)
            let packet = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
            defer { packet.deallocate() }
            var sequence: UInt16 = 0
            var arrival: UInt64 = 1_000_000_000

            /// Stores the publisher's next packet; returns its sequence number.
            func publish(_ bytes: [UInt8], keyframe: Bool) -> UInt16 {
                sequence &+= 1
                arrival &+= 1_000_000
                bytes.withUnsafeBytes { packet.copyMemory(from: $0) }
                packet.storeBigEndian(sequence, at: 2)
                packet.storeBigEndian(UInt32(truncatingIfNeeded: arrival / 11_111), at: 4)
                history.store(
                    UnsafeRawBufferPointer(rebasing: packet[0..<bytes.count]), sequence: sequence, arrival: arrival,
                    isKeyframeStart: keyframe)
                return sequence
            }

            /// Forwards `stored` to `viewer` into its batch slot and protects it; the SRTP length.
            func forward(_ stored: UInt16, to index: Int) throws -> Int {
                let slot = UnsafeMutableRawBufferPointer(rebasing: batch[(index * slotSize)..<((index + 1) * slotSize)])
                let viewer = viewers[index]
                guard
                    let length = viewer.forwarder.forward(
                        layer: 0, sequence: stored, now: arrival,
                        into: UnsafeMutableRawBufferPointer(rebasing: slot[0..<(slotSize - trailer)]))
                else { return 0 }
                return try viewer.sender.protectRTP(slot, length: length)
            }

            // Set-up outside the measurement: each viewer starts on a key frame, and libsrtp
            // clones its stream template on an SSRC's first packet.
            let first = publish(key, keyframe: true)
            for index in viewers.indices {
                let length = try forward(first, to: index)
                precondition(length > 0, "viewer \(index) did not start on the key frame")
            }

            benchmark.startMeasurement()
            var remaining = benchmark.scaledIterations.count
            while remaining > 0 {
                let stored = publish(delta, keyframe: false)
                for index in viewers.indices where remaining > 0 {
                    blackHole(try forward(stored, to: index))
                    remaining -= 1
                }
            }
            benchmark.stopMeasurement()
            precondition(viewers.allSatisfy { $0.forwarder.droppedCount == 0 })
        }
    }

    // Relay links: both ends of one link on one worker over loopback UDP (LinkEndPump), 10,000
    // packets of 1200 bytes per iteration, so throughput x 10,000 is packets per second on one
    // core; the DESIGN target is 1M packets/s per core for a link end with GSO.
    // `.one`: an iteration is its 10,000 packets. The file's default (`.kilo`) made each sample
    // ten million packets, about 50 s, so a run gave one sample in minutes.
    let linkConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .cpuTotal], warmupIterations: 3, scalingFactor: .one,
        maxDuration: .seconds(3), maxIterations: 200)
    for segmentation in [true, false] {
        let path = segmentation ? "GSO" : "sendmmsg"
        Benchmark(
            "Relay link 10000 x 1200 B, both ends on one worker, \(path)", configuration: linkConfiguration
        ) { benchmark in
            let worker = try MediaWorker(index: 0, cpu: 0)
            defer { worker.stop() }
            let pump = try await worker.run { try LinkEndPump(worker: worker, segmentation: segmentation) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                await withCheckedContinuation { done in
                    _ = worker.post { pump.start(count: linkPacketsPerIteration, done: done) }
                }
            }
            benchmark.stopMeasurement()
            let (lost, rejected, statistics) = try await worker.run {
                let result = (pump.lost, pump.rejected, pump.sendStatistics)
                pump.close()
                return result
            }
            print(
                "relay link \(path): lost \(lost), rejected \(rejected), "
                    + "segmented \(statistics.datagramsSentSegmented), sendmmsg \(statistics.datagramsSentBatched)")
        }
    }

    // Relay links, one end per worker (SplitLinkEnds): each end's packets per second per core
    // from its thread's CPU time, the figure the DESIGN target (1M) is about.
    let sendingEnd = BenchmarkMetric.custom(
        "sending end kpackets/s per core", polarity: .prefersLarger, useScalingFactor: false)
    let receivingEnd = BenchmarkMetric.custom(
        "receiving end kpackets/s per core", polarity: .prefersLarger, useScalingFactor: false)
    let coalescedShare = BenchmarkMetric.custom(
        "received coalesced (UDP GRO) %", polarity: .prefersLarger, useScalingFactor: false)
    let perEnd = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .cpuTotal, sendingEnd, receivingEnd, coalescedShare], warmupIterations: 3,
        scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 200)
    // A sample is `perEndRounds` pumps of 10,000 packets (about 0.2 s): one pump alone is ~10 ms,
    // where the wake-ups that start and end it weigh on the per-core rate.
    let perEndRounds = 20
    Benchmark("Relay link 10000 x 1200 B, one end per worker, GSO", configuration: perEnd) { benchmark in
        let ends = try await SplitLinkEnds.open()
        let before = try await ends.threadCPUTimes()
        benchmark.startMeasurement()
        var packets = 0
        for _ in benchmark.scaledIterations {
            for _ in 0..<perEndRounds {
                await withCheckedContinuation { done in
                    _ = ends.receivingWorker.post { ends.receiving.start(count: linkPacketsPerIteration, done: done) }
                }
                packets += linkPacketsPerIteration
            }
        }
        benchmark.stopMeasurement()
        let after = try await ends.threadCPUTimes()
        let (lost, rejected, coalesced) = try await ends.receivingWorker.run {
            (ends.receiving.lost, ends.receiving.rejected, ends.receiving.socket.statistics.datagramsReceivedCoalesced)
        }
        try await ends.close()
        func perCore(_ nanoseconds: UInt64) -> Int { Int(Double(packets) / (Double(nanoseconds) / 1e9) / 1000) }
        let sending = perCore(after.sending - before.sending)
        let receiving = perCore(after.receiving - before.receiving)
        benchmark.measurement(sendingEnd, sending)
        benchmark.measurement(receivingEnd, receiving)
        benchmark.measurement(coalescedShare, coalesced * 100 / max(packets, 1))
        print(
            "relay link per end: sending \(sending)k/s, receiving \(receiving)k/s per core; "
                + "lost \(lost), rejected \(rejected), received coalesced (UDP GRO) \(coalesced) of \(packets)")
    }
}

let linkPacketsPerIteration = 10_000
