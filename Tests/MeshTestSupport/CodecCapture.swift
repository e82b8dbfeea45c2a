import Foundation

/// One packet of a capture under Tests/Fixtures: the RTP header fields tests need and the
/// payload, found with a minimal RFC 3550 §5.1 header walk (CSRCs, extension, padding) that
/// does not go through MeshWire.
public struct CapturedPacket: Sendable {
    /// M: the last packet of a video frame.
    public let marker: Bool
    /// The RTP sequence number.
    public let sequenceNumber: UInt16
    /// The RTP timestamp (one per video frame).
    public let timestamp: UInt32
    /// The RTP payload: the codec's payload descriptor and data.
    public let payload: [UInt8]

    /// Walks one RTP packet; `nil` when it is not one.
    public init?(_ packet: ArraySlice<UInt8>) {
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

/// The codec captures under Tests/Fixtures: RTP captures (`rtp/*.rtp`, `codecs/*.rtp`, made by
/// scripts/fixtures/capture_rtp.py: records of a 2-byte big-endian length and the packet) and
/// H.264 Annex B key frames (`codecs/*.h264`).
public enum CodecCapture {
    /// Why a fixture could not be read.
    public struct Malformed: Error, CustomStringConvertible {
        /// What is wrong, with the file's path.
        public let description: String
    }

    /// The packets of the RTP capture at `relativePath` under Tests/Fixtures.
    public static func packets(_ relativePath: String) throws -> [CapturedPacket] {
        let bytes = try fixture(relativePath)
        var packets: [CapturedPacket] = []
        var offset = 0
        while offset + 2 <= bytes.count {
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let end = offset + 2 + length
            guard end <= bytes.count, let packet = CapturedPacket(bytes[offset + 2..<end]) else {
                throw Malformed(description: "\(relativePath): bad record at \(offset)")
            }
            packets.append(packet)
            offset = end
        }
        guard offset == bytes.count else { throw Malformed(description: "\(relativePath): trailing bytes") }
        return packets
    }

    /// Groups packets into frames by RTP timestamp (all packets of a video frame share it).
    public static func frames(_ packets: [CapturedPacket]) -> [[CapturedPacket]] {
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

    /// The NAL units (header byte first, start codes removed) of the Annex B stream at
    /// `relativePath` under Tests/Fixtures (ITU-T H.264 §B.1: each unit follows 00 00 01; zero
    /// bytes before a start code, such as the first byte of a 4-byte one, belong to no unit).
    public static func nalUnits(_ relativePath: String) throws -> [[UInt8]] {
        let bytes = try fixture(relativePath)
        var codes: [Int] = []  // where each 00 00 01 starts
        var index = 0
        while index + 3 <= bytes.count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                codes.append(index)
                index += 3
            } else {
                index += 1
            }
        }
        guard let first = codes.first, bytes[..<first].allSatisfy({ $0 == 0 }) else {
            throw Malformed(description: "\(relativePath): no start code at the beginning")
        }
        return codes.indices.map { position in
            let start = codes[position] + 3
            var end = position + 1 < codes.count ? codes[position + 1] : bytes.count
            while end > start, bytes[end - 1] == 0 { end -= 1 }
            return Array(bytes[start..<end])
        }
    }

    private static func fixture(_ relativePath: String) throws -> [UInt8] {
        let url = RepositoryFiles.root.appendingPathComponent("Tests/Fixtures/\(relativePath)")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Malformed(description: "missing fixture \(url.path)")
        }
        return [UInt8](data)
    }
}
