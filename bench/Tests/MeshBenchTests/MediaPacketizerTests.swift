import MeshWire
import Testing

@testable import MeshBench

/// The VP8 and Opus packetizers and the abs-capture-time element they write.
@Suite struct MediaPacketizerTests {
    static let extensions = OutgoingExtensionIDs(mid: 1, rid: 2, captureTime: 4)

    static func header(rid: String? = "h", sequence: UInt16 = 65_534) -> RTPStreamHeader {
        RTPStreamHeader(
            ssrc: 0x1122_3344, payloadType: 96, extensions: extensions, mid: "1", rid: rid, firstSequence: sequence)
    }

    /// Packetizes `frame` and returns each packet's bytes.
    static func packets(of frame: [UInt8], pictureID: UInt16, captureNTP: UInt64 = 0) throws -> [[UInt8]] {
        var packetizer = VP8Packetizer(firstPictureID: pictureID)
        var header = header()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        defer { buffer.deallocate() }
        var packets: [[UInt8]] = []
        try frame.withUnsafeBytes { bytes in
            try packetizer.packetize(
                frame: bytes, timestamp: 90_000, captureNTP: captureNTP, header: &header, buffer: buffer
            ) { length, _ in packets.append(Array(buffer[..<length])) }
        }
        return packets
    }

    @Test func aLargeFrameIsFragmentedWithTheRFC7741DescriptorAndReassemblesExactly() throws {
        let frame = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let packets = try Self.packets(of: frame, pictureID: 0x1234)
        #expect(packets.count == VP8Packetizer.packetCount(frameLength: frame.count))
        #expect(packets.count == 3)
        var reassembled: [UInt8] = []
        var sequences: [UInt16] = []
        for (index, bytes) in packets.enumerated() {
            try bytes.withUnsafeBytes { raw in
                let packet = try RTPPacketView(parsing: raw)
                sequences.append(packet.sequenceNumber)
                #expect(packet.timestamp == 90_000)
                // RFC 7741 §4.1: the marker bit is set on the last packet of a frame only.
                #expect(packet.marker == (index == packets.count - 1))
                let descriptor = try VP8PayloadDescriptor(parsing: packet.payload)
                // §4.2: X=1 and I=1 with M=1, so the 15-bit PictureID is present.
                #expect(descriptor.pictureID == 0x1234)
                // §4.2 / §4.4: S=1 only at the start of the frame, in partition 0.
                #expect(descriptor.isStartOfPartition == (index == 0))
                #expect(descriptor.partitionIndex == 0)
                #expect(packet.payload.count - descriptor.payloadOffset <= VP8Packetizer.maximumFragment)
                reassembled += packet.payload[descriptor.payloadOffset...]
            }
        }
        #expect(reassembled == frame)
        // The sequence numbers are consecutive across the 16-bit wrap.
        #expect(sequences == [65_534, 65_535, 0])
    }

    @Test func theRawDescriptorBytesAreXSThenIThenMWithPictureID() throws {
        let packets = try Self.packets(of: [0x10, 0x20], pictureID: 0x7FFF)
        let bytes = try #require(packets.first)
        let payload = try bytes.withUnsafeBytes { Array(try RTPPacketView(parsing: $0).payload) }
        // X=1 R=0 N=0 S=1 R=0 PID=000 | I=1 L=0 T=0 K=0 | M=1 PictureID=0x7FFF | frame.
        #expect(payload == [0x90, 0x80, 0xFF, 0xFF, 0x10, 0x20])
    }

    @Test func thePictureIDAdvancesPerFrameAndWrapsAt15Bits() throws {
        var packetizer = VP8Packetizer(firstPictureID: 0x7FFF)
        var header = Self.header()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        defer { buffer.deallocate() }
        var ids: [UInt16] = []
        for _ in 0..<2 {
            try [UInt8](repeating: 1, count: 10).withUnsafeBytes { bytes in
                try packetizer.packetize(frame: bytes, timestamp: 0, captureNTP: 0, header: &header, buffer: buffer) {
                    length, _ in
                    let payload = UnsafeRawBufferPointer(rebasing: buffer[..<length])
                    if let packet = try? RTPPacketView(parsing: payload),
                        let descriptor = try? VP8PayloadDescriptor(parsing: packet.payload)
                    {
                        ids.append(descriptor.pictureID ?? 0xFFFF)
                    }
                }
            }
        }
        #expect(ids == [0x7FFF, 0])
    }

    @Test func everyPacketCarriesMidRidAndAbsCaptureTimeInOneByteForm() throws {
        let ntp: UInt64 = 0xE8F0_1234_8000_0000
        let packets = try Self.packets(of: [UInt8](repeating: 9, count: 2500), pictureID: 1, captureNTP: ntp)
        for bytes in packets {
            try bytes.withUnsafeBytes { raw in
                let packet = try RTPPacketView(parsing: raw)
                let block = try #require(packet.headerExtension)
                #expect(block.form == .oneByte)  // RFC 8285 §4.2
                try block.validate()
                #expect(block.element(id: 1).map { Array($0.value) } == Array("1".utf8))
                #expect(block.element(id: 2).map { Array($0.value) } == Array("h".utf8))
                #expect(CaptureTimeExtension.read(from: packet, id: 4) == ntp)
            }
        }
    }

    @Test func absCaptureTimeRoundTripsThroughWriteAndRead() throws {
        for ntp: UInt64 in [0, 1, 0xE8F0_1234_8000_0000, .max] {
            var header = RTPStreamHeader(
                ssrc: 1, payloadType: 111, extensions: OutgoingExtensionIDs(captureTime: 7), mid: "", rid: nil,
                firstSequence: 0)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 16)
            defer { buffer.deallocate() }
            var writer = ByteWriter(buffer)
            try header.write(timestamp: 0, marker: false, captureNTP: ntp, into: &writer)
            // 12-byte header, 0xBEDE, length 3 words: 0x77 (ID 7, len-1 = 7), 8 bytes, 3 padding.
            #expect(writer.offset == 12 + 4 + 12)
            #expect(buffer[16] == 0x77)
            let packet = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<writer.offset]))
            #expect(CaptureTimeExtension.read(from: packet, id: 7) == ntp)
            #expect(CaptureTimeExtension.read(from: packet, id: 5) == nil)
        }
    }

    @Test func opusPacketsCarryThePacketAfterTheHeader() throws {
        var header = Self.header(rid: nil, sequence: 10)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 16)
        defer { buffer.deallocate() }
        let opus: [UInt8] = [0xFC, 0xAA, 0xBB]
        let length = try opus.withUnsafeBytes { bytes in
            try OpusPacketizer.packetize(bytes, timestamp: 960, captureNTP: 5, header: &header, buffer: buffer)
        }
        let packet = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<length]))
        #expect(Array(packet.payload) == opus)
        #expect(packet.sequenceNumber == 10)
        #expect(packet.timestamp == 960)
        #expect(packet.headerExtension?.element(id: 2) == nil)  // no rid without one
        #expect(header.nextSequence == 11)
    }
}
