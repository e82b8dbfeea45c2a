/// An RTP header (RFC 3550 §5.1) as owned values, for building packets and for comparing
/// parsed ones. The hot path reads ``RTPPacketView`` and rewrites with ``RTPPacketRewriter``.
public struct RTPHeader: Equatable {
    /// The P bit; ``marshalPacket(payload:paddingLength:into:)`` sets it from the padding it writes.
    public var hasPadding: Bool
    /// The M bit.
    public var marker: Bool
    /// The 7-bit payload type.
    public var payloadType: UInt8
    /// The sequence number.
    public var sequenceNumber: UInt16
    /// The media timestamp.
    public var timestamp: UInt32
    /// The synchronization source.
    public var ssrc: UInt32
    /// The contributing sources (at most 15).
    public var csrcs: [UInt32]
    /// The header extension's profile field (0xBEDE, 0x100x, …); used when `extensionData` is set.
    public var extensionProfile: UInt16
    /// The header extension's data, whole 32-bit words; `nil` leaves the X bit clear.
    public var extensionData: [UInt8]?

    /// A header with the given fields.
    public init(
        hasPadding: Bool = false, marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16,
        timestamp: UInt32, ssrc: UInt32, csrcs: [UInt32] = [], extensionProfile: UInt16 = 0,
        extensionData: [UInt8]? = nil
    ) {
        self.hasPadding = hasPadding
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.extensionProfile = extensionProfile
        self.extensionData = extensionData
    }

    /// Copies the header of a parsed packet (allocates the CSRC and extension arrays).
    public init(_ view: RTPPacketView) {
        self.init(
            hasPadding: view.hasPadding, marker: view.marker, payloadType: view.payloadType,
            sequenceNumber: view.sequenceNumber, timestamp: view.timestamp, ssrc: view.ssrc,
            csrcs: Array(view.csrcs), extensionProfile: view.extensionProfile ?? 0,
            extensionData: view.extensionDataRange.map { Array(view.bytes[$0]) })
    }

    /// Bytes the header takes on the wire.
    public var marshalSize: Int { 12 + csrcs.count * 4 + (extensionData.map { 4 + $0.count } ?? 0) }

    /// Writes the header; checks the field ranges RFC 3550 §5.1 gives them first.
    public func marshal(into writer: inout ByteWriter) throws(RTPError) {
        guard csrcs.count <= 15 else { throw .tooManyCSRCs(csrcs.count) }
        guard payloadType <= 0x7F else { throw .payloadTypeOutOfRange(payloadType) }
        if let data = extensionData, data.count % 4 != 0 || data.count / 4 > 0xFFFF {
            throw .extensionNotWordAligned(byteCount: data.count)
        }
        guard writer.remaining >= marshalSize else {
            throw .bufferTooSmall(ByteWriter.Overflow(needed: marshalSize, available: writer.remaining))
        }
        let first = 0x80 | (hasPadding ? 0x20 : 0) | (extensionData == nil ? 0 : 0x10) | UInt8(csrcs.count)
        do {
            try writer.write(first)
            try writer.write((marker ? 0x80 : 0) | payloadType)
            try writer.write(sequenceNumber)
            try writer.write(timestamp)
            try writer.write(ssrc)
            for csrc in csrcs { try writer.write(csrc) }
            if let data = extensionData {
                try writer.write(extensionProfile)
                try writer.write(UInt16(data.count / 4))
                try writer.write(contentsOf: data)
            }
        } catch {
            throw .bufferTooSmall(error)
        }
    }

    /// Writes a whole packet: this header, `payload`, then `paddingLength` padding octets
    /// (zeros ending in the count), setting the P bit to match.
    public func marshalPacket(
        payload: UnsafeRawBufferPointer, paddingLength: Int = 0, into writer: inout ByteWriter
    ) throws(RTPError) {
        guard (0...255).contains(paddingLength) else { throw .paddingLengthOutOfRange(paddingLength) }
        var header = self
        header.hasPadding = paddingLength > 0
        let total = header.marshalSize + payload.count + paddingLength
        guard writer.remaining >= total else {
            throw .bufferTooSmall(ByteWriter.Overflow(needed: total, available: writer.remaining))
        }
        try header.marshal(into: &writer)
        do {
            try writer.write(bytes: payload)
            if paddingLength > 0 {
                try writer.writeZeros(paddingLength - 1)
                try writer.write(UInt8(paddingLength))
            }
        } catch {
            throw .bufferTooSmall(error)
        }
    }
}
