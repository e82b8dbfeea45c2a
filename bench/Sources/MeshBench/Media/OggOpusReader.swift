/// Reads the Opus packets of an Ogg Opus file (RFC 3533 pages, RFC 7845 mapping): pages are
/// walked in order, lacing values join segments into packets (a packet may span pages), and
/// the OpusHead and OpusTags header packets (RFC 7845 §5) are skipped. One logical stream is
/// assumed. Control plane: throws on malformed bytes, never traps.
enum OggOpusReader {
    /// The fixed part of a page header, before the lacing table (RFC 3533 §6).
    static let pageHeaderSize = 27

    /// The audio packets of `bytes`.
    static func packets(in bytes: [UInt8]) throws(MediaFileError) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var pending: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= pageHeaderSize else {
                throw MediaFileError("Ogg: truncated page header at byte \(offset) (RFC 3533 §6)")
            }
            guard bytes[offset..<(offset + 4)].elementsEqual("OggS".utf8) else {
                throw MediaFileError("Ogg: no OggS capture pattern at byte \(offset) (RFC 3533 §6)")
            }
            guard bytes[offset + 4] == 0 else {
                throw MediaFileError("Ogg: stream structure version \(bytes[offset + 4]) is not 0 (RFC 3533 §6)")
            }
            let segmentCount = Int(bytes[offset + 26])
            let tableStart = offset + pageHeaderSize
            guard bytes.count - tableStart >= segmentCount else {
                throw MediaFileError("Ogg: truncated lacing table at byte \(offset) (RFC 3533 §6)")
            }
            var dataOffset = tableStart + segmentCount
            for index in 0..<segmentCount {
                let lacing = Int(bytes[tableStart + index])
                guard bytes.count - dataOffset >= lacing else {
                    throw MediaFileError("Ogg: segment runs past the end at byte \(dataOffset) (RFC 3533 §6)")
                }
                pending += bytes[dataOffset..<(dataOffset + lacing)]
                dataOffset += lacing
                // A lacing value below 255 ends a packet (RFC 3533 §5).
                if lacing < 255 {
                    if !isHeaderPacket(pending) && !pending.isEmpty { packets.append(pending) }
                    pending.removeAll(keepingCapacity: true)
                }
            }
            offset = dataOffset
        }
        return packets
    }

    /// OpusHead / OpusTags (RFC 7845 §5.1, §5.2): the first two packets, never audio.
    private static func isHeaderPacket(_ packet: [UInt8]) -> Bool {
        packet.count >= 8
            && (packet[0..<8].elementsEqual("OpusHead".utf8) || packet[0..<8].elementsEqual("OpusTags".utf8))
    }
}
