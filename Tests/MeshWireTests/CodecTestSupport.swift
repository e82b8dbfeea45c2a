import Foundation
import MeshWire
import Testing

/// Runs `body` over `bytes` as an RTP payload, the way the parsers meet packets.
func withPayload<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes(body)
}

/// A small deterministic generator (SplitMix64) so that garbage tests replay identically.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One packet of a capture under Tests/Fixtures/rtp/: the RTP header fields the tests need
/// and the payload, found with a minimal RFC 3550 §5.1 header walk (CSRCs, extension, padding).
struct CapturedPacket {
    let marker: Bool
    let sequenceNumber: UInt16
    let timestamp: UInt32
    let payload: [UInt8]

    init?(_ packet: ArraySlice<UInt8>) {
        let bytes = Array(packet)
        guard bytes.count >= 12, bytes[0] >> 6 == 2 else { return nil }
        var offset = 12 + 4 * Int(bytes[0] & 0x0F)
        if bytes[0] & 0x10 != 0 {  // X: header extension, length in 32-bit words
            guard bytes.count >= offset + 4 else { return nil }
            offset += 4 + 4 * (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
        }
        var end = bytes.count
        if bytes[0] & 0x20 != 0, let padding = bytes.last { end -= Int(padding) }  // P: padding
        guard offset <= end else { return nil }
        marker = bytes[1] & 0x80 != 0
        sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        timestamp = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
        payload = Array(bytes[offset..<end])
    }
}

/// Reads a capture written by scripts/fixtures/capture_rtp.py: records of a 2-byte
/// big-endian length and the packet.
func loadCapture(_ name: String, filePath: String = #filePath) throws -> [CapturedPacket] {
    let testsFolder = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
    let path = testsFolder.appendingPathComponent("Fixtures/rtp/\(name)").path
    let data = try #require(FileManager.default.contents(atPath: path), "missing fixture \(path)")
    let bytes = [UInt8](data)
    var packets: [CapturedPacket] = []
    var offset = 0
    while offset + 2 <= bytes.count {
        let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
        let end = offset + 2 + length
        try #require(end <= bytes.count, "record at \(offset) runs past the end")
        packets.append(try #require(CapturedPacket(bytes[offset + 2..<end])))
        offset = end
    }
    try #require(offset == bytes.count)
    return packets
}

/// Groups packets into frames by RTP timestamp (all packets of a video frame share it).
func framesByTimestamp(_ packets: [CapturedPacket]) -> [[CapturedPacket]] {
    var frames: [[CapturedPacket]] = []
    for packet in packets {
        if let last = frames.last?.last, last.timestamp == packet.timestamp {
            frames[frames.count - 1].append(packet)
        } else {
            frames.append([packet])
        }
    }
    return frames
}
