/// In-place edits of an RTP packet in a mutable buffer, as an SFU forwarder makes them:
/// rewrite SSRC, sequence number, timestamp, payload type, marker, or an extension value of the
/// same length. Nothing moves and nothing is allocated.
public struct RTPPacketRewriter {
    /// The packet being edited.
    public let bytes: UnsafeMutableRawBufferPointer

    /// A rewriter over `bytes`, after checking it holds at least a valid version-2 fixed header.
    public init(_ bytes: UnsafeMutableRawBufferPointer) throws(RTPError) {
        guard bytes.count >= 12 else { throw .truncatedHeader(needed: 12, available: bytes.count) }
        guard bytes[0] >> 6 == 2 else { throw .unsupportedVersion(bytes[0] >> 6) }
        self.bytes = bytes
    }

    /// Sets the synchronization source.
    public func setSSRC(_ ssrc: UInt32) { bytes.storeBigEndian(ssrc, at: 8) }

    /// Sets the sequence number.
    public func setSequenceNumber(_ sequenceNumber: UInt16) { bytes.storeBigEndian(sequenceNumber, at: 2) }

    /// Sets the media timestamp.
    public func setTimestamp(_ timestamp: UInt32) { bytes.storeBigEndian(timestamp, at: 4) }

    /// Sets the payload type (its low 7 bits), keeping the marker.
    public func setPayloadType(_ payloadType: UInt8) { bytes[1] = (bytes[1] & 0x80) | (payloadType & 0x7F) }

    /// Sets or clears the marker bit, keeping the payload type.
    public func setMarker(_ marker: Bool) { bytes[1] = (bytes[1] & 0x7F) | (marker ? 0x80 : 0) }

    /// Overwrites the value of extension element `id` with `value`, which must have its length.
    public func setHeaderExtensionValue(id: UInt8, to value: UnsafeRawBufferPointer) throws(RTPHeaderExtensionError) {
        let view: RTPPacketView
        do {
            view = try RTPPacketView(parsing: UnsafeRawBufferPointer(bytes))
        } catch {
            throw .invalidPacket(error)
        }
        guard let block = view.headerExtension, let dataStart = view.extensionDataRange?.lowerBound else {
            throw .noHeaderExtension
        }
        guard let element = block.element(id: id) else { throw .missingID(id) }
        guard element.value.count == value.count else {
            throw .valueLengthMismatch(expected: element.value.count, got: value.count)
        }
        let start = dataStart + element.valueRange.lowerBound
        UnsafeMutableRawBufferPointer(rebasing: bytes[start..<start + value.count]).copyMemory(from: value)
    }
}
