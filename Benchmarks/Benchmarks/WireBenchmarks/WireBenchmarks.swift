import Benchmark
import Foundation
import MeshWire

// Parse costs on the per-packet path, with allocation counts (the target is zero). Each sample
// runs 1000 parses (scaling factor kilo): times are per parse, mallocs per 1000.

/// A 1200-byte VP8 RTP packet as Chromium sends it: one-byte header extensions carrying
/// abs-send-time (id 2, 3 bytes) and transport-wide sequence number (id 3, 2 bytes).
let rtpPacket: [UInt8] = {
    var packet: [UInt8] = [
        0x90, 0x60, 0x12, 0x34,  // v=2, p=0, x=1, cc=0; m=0, pt=96; seq=0x1234
        0x00, 0x01, 0x00, 0x00,  // timestamp
        0xCA, 0xFE, 0xF0, 0x0D,  // SSRC
        0xBE, 0xDE, 0x00, 0x02,  // RFC 8285 one-byte form, 2 words
        0x22, 0x01, 0x02, 0x03,  // id=2 len=3 abs-send-time
        0x31, 0x00, 0x07, 0x00,  // id=3 len=2 transport-cc seq=7, padding
    ]
    packet += [0x90, 0x80, 0x05]  // VP8 descriptor: X=1 S=1; I=1; 7-bit picture id 5
    packet += [UInt8](repeating: 0x42, count: 1200 - packet.count)
    return packet
}()

/// A receiver's typical compound RTCP: RR with one report block, generic NACK, PLI, REMB.
let rtcpCompound: [UInt8] = [
    0x81, 0xC9, 0x00, 0x07,  // v=2, p=0, count=1, RR, len=7
    0x00, 0x00, 0x00, 0x01,  // reporter SSRC
    0xCA, 0xFE, 0xF0, 0x0D,  // reportee SSRC
    0x00, 0x00, 0x00, 0x05,  // fraction lost 0, cumulative lost 5
    0x00, 0x00, 0x12, 0x34,  // extended highest sequence number
    0x00, 0x00, 0x00, 0x14,  // jitter
    0x00, 0x00, 0x00, 0x00,  // LSR
    0x00, 0x00, 0x00, 0x00,  // DLSR
    0x81, 0xCD, 0x00, 0x03,  // v=2, p=0, fmt=1 (NACK), RTPFB, len=3
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0xCA, 0xFE, 0xF0, 0x0D,  // media SSRC
    0x12, 0x30, 0x00, 0x03,  // PID=0x1230, BLP: 0x1231 and 0x1232 lost too
    0x81, 0xCE, 0x00, 0x02,  // v=2, p=0, fmt=1 (PLI), PSFB, len=2
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0xCA, 0xFE, 0xF0, 0x0D,  // media SSRC
    0x8F, 0xCE, 0x00, 0x05,  // v=2, p=0, fmt=15 (AFB), PSFB, len=5
    0x00, 0x00, 0x00, 0x01,  // sender SSRC
    0x00, 0x00, 0x00, 0x00,  // media SSRC (unused for REMB)
    0x52, 0x45, 0x4D, 0x42,  // 'REMB'
    0x01, 0x0C, 0x35, 0x00,  // num SSRC=1, exp=3, mantissa=0x03500 (1.6 Mbit/s)
    0xCA, 0xFE, 0xF0, 0x0D,  // SSRC feedback
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal], warmupIterations: 10,
        scalingFactor: .kilo, maxDuration: .seconds(2))

    Benchmark("RTP parse 1200 B + find transport-cc extension") { benchmark in
        try rtpPacket.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                let packet = try RTPPacketView(parsing: bytes)
                blackHole(packet.headerExtension?.element(id: 3)?.value.count)
                blackHole(packet.payload.count)
            }
        }
    }

    Benchmark("RTCP parse compound RR+NACK+PLI+REMB") { benchmark in
        try rtcpCompound.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                var packets = RTCPCompoundIterator(bytes)
                while let view = try packets.next() {
                    blackHole(try RTCPPacket(parsing: view))
                }
            }
        }
    }

    // Control plane: one WHIP/WHEP offer per session, not per packet.
    Benchmark("SDP parse Chromium simulcast offer", configuration: .init(scalingFactor: .one)) { benchmark in
        let offer = try String(contentsOfFile: fixture("sdp/chromium-simulcast.sdp"), encoding: .utf8)
        for _ in benchmark.scaledIterations {
            blackHole(try SessionDescription(parsing: offer))
        }
    }
}

/// A file under Tests/Fixtures, found from this source file's place in the repository.
func fixture(_ name: String) -> String {
    let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repository.appendingPathComponent("Tests/Fixtures/\(name)").path
}
