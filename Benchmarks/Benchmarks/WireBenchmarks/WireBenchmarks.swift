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

    // Key frame sizes: run on every H.264 packet and on each VP8/VP9 key frame start.
    Benchmark("Key frame size: H.264 SPS in Chromium's STAP-A [SPS, PPS]") { benchmark in
        let units = try annexBUnits("codecs/chromium-h264-1280x720.h264")
        var stapA: [UInt8] = [0x78]
        for unit in units.prefix(2) { stapA += [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)] + unit }
        try stapA.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                blackHole(try H264Payload(parsing: bytes).sequenceParameterSet(in: bytes)?.dimensions)
            }
        }
    }

    Benchmark("Key frame size: VP8 and VP9 key frame headers") { benchmark in
        let vp8 = try firstPayload("codecs/vp8-640x360.rtp")
        let vp9 = try firstPayload("codecs/vp9-profile0-640x360.rtp")
        try vp8.withUnsafeBytes { vp8 in
            try vp9.withUnsafeBytes { vp9 in
                for _ in benchmark.scaledIterations {
                    blackHole(try VP8PayloadDescriptor(parsing: vp8).payloadHeader?.keyFrameHeader?.dimensions)
                    blackHole(try VP9PayloadDescriptor(parsing: vp9).keyFrameHeader(in: vp9)?.dimensions)
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

/// The RTP payload of the first packet of a capture (records of a 2-byte length and a packet
/// with a bare 12-byte header, as ffmpeg sends them).
func firstPayload(_ name: String) throws -> [UInt8] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
    let length = Int(bytes[0]) << 8 | Int(bytes[1])
    return Array(bytes[2 + 12..<2 + length])
}

/// The NAL units of an Annex B file (after each 00 00 01, trailing zero bytes dropped).
func annexBUnits(_ name: String) throws -> [[UInt8]] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
    var units: [[UInt8]] = []
    var index = 0
    while index + 3 <= bytes.count {
        if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
            units.append([])
            index += 3
        } else {
            if !units.isEmpty { units[units.count - 1].append(bytes[index]) }
            index += 1
        }
    }
    if !units.isEmpty { units[units.count - 1] += bytes[index...] }
    return units.map { unit in Array(unit.reversed().drop { $0 == 0 }.reversed()) }
}
