import MeshWire

/// Rewrites one track's packets for one viewer, so that the viewer sees a single continuous
/// RTP stream (RFC 3550 §5.1, §8.2) across simulcast layer switches and publisher reconnects.
///
/// Each forwarded packet gets a fresh header: the viewer's SSRC and payload type, a sequence
/// number and timestamp translated by the offsets of the current source, and only the header
/// extensions the viewer negotiated: abs-send-time and mid written by us, abs-capture-time
/// copied from the source packet (under the viewer's ID) when both sides negotiated it, so the
/// viewer can measure latency from the publisher's capture. When the source
/// changes (another layer, or a new SSRC), the offsets are chosen so that the sequence number
/// continues at last + 1 and the timestamp advances by the wall time since the last packet;
/// within one source they stay put, so upstream loss stays a gap the viewer can NACK.
/// VP8 and VP9 picture ids and TL0PICIDX (RFC 7741 §4.2, RFC 9628 §4.2) get the same
/// treatment (see ``PictureNumbering``). A ring remembers,
/// per outgoing sequence number, which source packet it was, to answer the viewer's NACKs.
/// All memory is allocated in `init`; rewriting allocates nothing.
public struct OutgoingStreamRewriter {
    /// The payload format, for the codec-level continuity it needs.
    public enum Codec: Sendable {
        /// VP8 (RFC 7741): picture id and TL0PICIDX are renumbered on switches.
        case vp8
        /// VP9 (RFC 9628): picture id and TL0PICIDX are renumbered on switches.
        case vp9
        /// Anything else: payload bytes are copied untouched.
        case opaque
    }

    /// What the viewer negotiated for this track.
    public struct Configuration: Sendable {
        /// The SSRC the viewer sees.
        public var ssrc: UInt32
        /// The viewer's payload type for the codec.
        public var payloadType: UInt8
        /// The media clock rate (Hz).
        public var clockRate: UInt32
        /// The codec.
        public var codec: Codec
        /// The abs-send-time extension id (RFC 8285 one-byte form, 1–14), if negotiated.
        public var absSendTimeID: UInt8?
        /// The sdes:mid extension id (RFC 9143 §15), if negotiated.
        public var midID: UInt8?
        /// The mid value (at most 16 bytes are sent).
        public var mid: [UInt8]
        /// The abs-capture-time extension id (RFC 8285 one-byte form, 1–14), if negotiated: the
        /// source's value is copied under it. Another ID is ignored (the block is one-byte form).
        public var absCaptureTimeID: UInt8?
        /// The first outgoing sequence number (RFC 3550 §5.1: should be random).
        public var initialSequence: UInt16
        /// The first outgoing timestamp (RFC 3550 §5.1: should be random).
        public var initialTimestamp: UInt32
        /// How many sent packets the NACK mapping remembers (rounded up to a power of two).
        public var mappingCapacity: Int

        /// A configuration with the given fields.
        public init(
            ssrc: UInt32, payloadType: UInt8, clockRate: UInt32 = 90_000, codec: Codec = .vp8,
            absSendTimeID: UInt8? = nil, midID: UInt8? = nil, mid: [UInt8] = [], absCaptureTimeID: UInt8? = nil,
            initialSequence: UInt16 = 0, initialTimestamp: UInt32 = 0, mappingCapacity: Int = 1024
        ) {
            self.ssrc = ssrc
            self.payloadType = payloadType
            self.clockRate = clockRate
            self.codec = codec
            self.absSendTimeID = absSendTimeID
            self.midID = midID
            self.mid = mid
            self.absCaptureTimeID = absCaptureTimeID
            self.initialSequence = initialSequence
            self.initialTimestamp = initialTimestamp
            self.mappingCapacity = mappingCapacity
        }
    }

    /// Where an outgoing packet came from.
    public struct Origin: Sendable, Equatable {
        /// The simulcast layer.
        public var layer: Int
        /// Its sequence number in that layer's stream.
        public var sourceSequence: UInt16
    }

    /// The translation from one source (SSRC and layer) to the outgoing stream.
    struct Translation: Sendable {
        var sourceSSRC: UInt32
        var layer: Int
        /// The newest source sequence number seen, and how far (in packets) it is past the
        /// source's first: older packets within that span are forwarded, older still are not.
        var highestSourceSequence: UInt16
        var span: Int64
        var sequenceOffset: UInt16
        var timestampOffset: UInt32
        var pictureIDOffset: UInt16
        var tl0Offset: UInt8
        /// The source's abs-capture-time ID (its publisher's negotiation), `nil` when it has none.
        var captureTimeID: UInt8?
    }

    /// One ring entry of the NACK mapping: 8 bytes, so a viewer's 1024 entries per track take
    /// 8 KB. The translation it was sent with is found by `generation` in `translations`.
    struct SentRecord: Sendable {
        var outgoingSequence: UInt16
        var sourceSequence: UInt16
        /// The generation of its translation; 0: never written.
        var generation: UInt32
    }

    /// Translations the mapping remembers: a source switch every few seconds at most, so a
    /// mapping of a few seconds of packets spans far fewer; a record whose translation was
    /// overwritten is forgotten like one overwritten in the ring.
    static let translationMemory = 16

    /// The viewer's negotiation.
    public let configuration: Configuration
    private let midLength: Int
    /// The viewer's abs-capture-time ID, when usable in the one-byte form we write.
    private let captureTimeID: UInt8?
    private var translation: Translation?
    /// The generation of `translation`: 1 for the first, one more on each switch.
    private var generation: UInt32 = 0
    private var sent: [SentRecord]
    /// Recent translations as each began, the one of generation `g` at `g % translationMemory`.
    private var translations: [Translation]
    private let sentMask: Int
    /// The newest outgoing sequence number sent.
    public private(set) var lastSequence: UInt16
    /// The timestamp of the newest packet sent.
    public private(set) var lastTimestamp: UInt32
    private var lastSendTime: UInt64 = 0
    private var lastPictureID: UInt16?
    private var lastTL0: UInt8?
    /// Set by ``beginNewSource()``: the next packet starts a translation even if its SSRC and
    /// layer are the current ones.
    private var restartPending = false
    /// The abs-capture-time ID of the source whose packets come next (its publisher's
    /// negotiation), `nil` when it has none. Taken up by the next translation: set it together
    /// with ``beginNewSource()`` when the source changes.
    public var sourceCaptureTimeID: UInt8?
    /// Bytes of header in the last packet ``rewrite(_:layer:now:into:)`` wrote: the fixed header
    /// plus the extension block, which grows when the packet carries abs-capture-time.
    public private(set) var headerLength: Int

    /// A rewriter for `configuration`.
    public init(configuration: Configuration, sourceCaptureTimeID: UInt8? = nil) {
        self.configuration = configuration
        self.sourceCaptureTimeID = sourceCaptureTimeID
        let midLength = configuration.midID == nil ? 0 : min(configuration.mid.count, 16)
        self.midLength = midLength
        captureTimeID = configuration.absCaptureTimeID.flatMap { (1...14).contains($0) ? $0 : nil }
        headerLength =
            12 + Self.extensionBlockLength(configuration: configuration, midLength: midLength, captureLength: 0)
        var capacity = 1
        while capacity < min(max(configuration.mappingCapacity, 1), 1 << 15) { capacity <<= 1 }
        sentMask = capacity - 1
        let empty = Translation(
            sourceSSRC: 0, layer: 0, highestSourceSequence: 0, span: 0, sequenceOffset: 0, timestampOffset: 0,
            pictureIDOffset: 0,
            tl0Offset: 0, captureTimeID: nil)
        sent = Array(repeating: SentRecord(outgoingSequence: 0, sourceSequence: 0, generation: 0), count: capacity)
        translations = Array(repeating: empty, count: Self.translationMemory)
        lastSequence = configuration.initialSequence &- 1
        lastTimestamp = configuration.initialTimestamp
    }

    /// The RTP timestamp offset (outgoing − source) of the current source, for sender reports.
    public var timestampOffset: UInt32? { translation?.timestampOffset }
    /// The SSRC of the current source.
    public var currentSourceSSRC: UInt32? { translation?.sourceSSRC }
    /// The layer of the current source.
    public var currentLayer: Int? { translation?.layer }

    /// Bytes of the one-byte extension block (preamble included) holding abs-send-time, mid
    /// and a copied abs-capture-time value of `captureLength` bytes (0: none).
    private static func extensionBlockLength(configuration: Configuration, midLength: Int, captureLength: Int) -> Int {
        var elements = 0
        if configuration.absSendTimeID != nil { elements += 1 + 3 }
        if midLength > 0 { elements += 1 + midLength }
        if captureLength > 0 { elements += 1 + captureLength }
        return elements == 0 ? 0 : 4 + (elements + 3) & ~3
    }

    /// Writes the viewer's form of the RTP packet `source` (from simulcast `layer`) into `out`
    /// at `now`; returns its length, or `nil` when `source` is not RTP, `out` is too small, or
    /// the packet predates the current source's first packet (it would reuse sequence numbers).
    public mutating func rewrite(
        _ source: UnsafeRawBufferPointer, layer: Int, now: UInt64, into out: UnsafeMutableRawBufferPointer
    ) -> Int? {
        guard let view = try? RTPPacketView(parsing: source) else { return nil }
        let descriptor = PictureNumbering(codec: configuration.codec, payload: view.payload)
        var current: Translation
        var switched = false
        if let existing = translation, !restartPending, existing.sourceSSRC == view.ssrc, existing.layer == layer {
            current = existing
            let ahead = Int16(bitPattern: view.sequenceNumber &- existing.highestSourceSequence)
            if ahead > 0 {
                current.highestSourceSequence = view.sequenceNumber
                current.span &+= Int64(ahead)
            } else if -Int64(ahead) > existing.span {
                return nil
            }
        } else {
            current = switchTranslation(to: view, layer: layer, descriptor: descriptor, now: now)
            switched = true
        }
        guard let written = write(view, descriptor: descriptor, translation: current, now: now, into: out) else {
            return nil
        }
        headerLength = written.header
        translation = current
        if switched {
            // Retransmissions take only the offsets, SSRC and layer from the ring, and those
            // stay fixed for a translation's life: one write per switch, none per packet.
            generation &+= 1
            translations[Int(generation % UInt32(Self.translationMemory))] = current
        }
        restartPending = false
        let sequence = view.sequenceNumber &+ current.sequenceOffset
        if Int16(bitPattern: sequence &- lastSequence) > 0 {
            lastSequence = sequence
            lastTimestamp = view.timestamp &+ current.timestampOffset
            lastSendTime = now
            if let pictureID = descriptor?.pictureID { lastPictureID = (pictureID &+ current.pictureIDOffset) & 0x7FFF }
            if let tl0 = descriptor?.tl0PictureIndex { lastTL0 = tl0 &+ current.tl0Offset }
        }
        sent[Int(sequence) & sentMask] = SentRecord(
            outgoingSequence: sequence, sourceSequence: view.sequenceNumber, generation: generation)
        return written.length
    }

    /// RFC 3550 §A.1's MAX_DROPOUT: a sequence number further ahead of the newest than this is
    /// not loss but another numbering.
    public static let maximumDropout = 3000
    /// How far (in seconds of the media clock) a packet's RTP timestamp may stray from the newest
    /// packet's plus the wall time since it was sent. One source's timestamps advance with the
    /// wall clock (RFC 3550 §5.1); a new source starts at a random one.
    public static let maximumTimestampStraySeconds: UInt32 = 5

    /// Whether `source`, a stored packet of `layer`, can continue the current source: the same
    /// SSRC and layer, a sequence number at most ``maximumDropout`` ahead of the newest and at
    /// most `misorderWindow` behind it, and an RTP timestamp within
    /// ``maximumTimestampStraySeconds`` of the newest packet's advanced by the time since.
    ///
    /// `false` means another stream under the same SSRC (RFC 3550 §A.1 treats such a jump as a
    /// restarted source): an origin keeps a layer's mesh SSRC when its publisher reconnects, so
    /// behind a relay link the new publisher's packets arrive under the old SSRC, numbered and
    /// timed from random starting points. Rewritten with the old offsets they would reuse
    /// numbers the viewer already has (the viewer drops them as duplicates) or leave a gap
    /// nobody can fill. `true` when nothing is being forwarded or a restart is pending.
    public func continuesCurrentSource(
        _ source: UnsafeRawBufferPointer, layer: Int, now: UInt64, misorderWindow: Int
    ) -> Bool {
        guard let translation, !restartPending, source.count >= 12 else { return true }
        guard source.bigEndianUInt32(at: 8) == translation.sourceSSRC, layer == translation.layer else { return false }
        let ahead = Int(Int16(bitPattern: source.bigEndianUInt16(at: 2) &- translation.highestSourceSequence))
        guard ahead <= Self.maximumDropout, -ahead <= misorderWindow else { return false }
        let newest = lastTimestamp &- translation.timestampOffset
        let expected = newest &+ MediaClock.ticks(now &- lastSendTime, clockRate: configuration.clockRate)
        let stray = Int32(bitPattern: source.bigEndianUInt32(at: 4) &- expected).magnitude
        return stray <= Self.maximumTimestampStraySeconds &* configuration.clockRate
    }

    /// Makes the next packet start a new translation, continuing the outgoing stream at
    /// last + 1 whatever its SSRC and sequence number: the source kept its SSRC but not its
    /// numbering (a publisher reconnected at an origin that keeps mesh SSRCs, or the feed
    /// moved to another relay link with a gap no NACK can fill).
    public mutating func beginNewSource() {
        restartPending = true
    }

    /// The source of outgoing packet `sequence`, if it is still in the mapping.
    public func origin(ofOutgoing sequence: UInt16) -> Origin? {
        record(ofOutgoing: sequence).map { Origin(layer: $0.translation.layer, sourceSequence: $0.sourceSequence) }
    }

    /// The mapping's entry for outgoing `sequence`. A number never sent but inside the current
    /// source's span maps through its offsets: those are packets that arrived before the key
    /// frame the viewer started on (the key frame itself was late, repaired by a NACK) and
    /// were skipped, and the viewer asks for them as soon as it sees the gap.
    private func record(ofOutgoing sequence: UInt16) -> (sourceSequence: UInt16, translation: Translation)? {
        let record = sent[Int(sequence) & sentMask]
        if record.generation != 0, record.outgoingSequence == sequence {
            // Generations more than `translationMemory` back share a ring entry with a newer one.
            guard generation &- record.generation < UInt32(Self.translationMemory) else { return nil }
            return (record.sourceSequence, translations[Int(record.generation % UInt32(Self.translationMemory))])
        }
        guard let translation, !restartPending else { return nil }
        let source = sequence &- translation.sequenceOffset
        let behind = Int64(Int16(bitPattern: translation.highestSourceSequence &- source))
        guard behind > 0, behind <= translation.span else { return nil }
        return (source, translation)
    }

    /// Writes outgoing packet `sequence` again from its `source` packet, with the translation it
    /// was first sent with (a NACK answer); `nil` when the mapping forgot it or `source` is not it.
    public func rewriteRetransmission(
        _ source: UnsafeRawBufferPointer, outgoingSequence sequence: UInt16, now: UInt64,
        into out: UnsafeMutableRawBufferPointer
    ) -> Int? {
        guard let record = record(ofOutgoing: sequence), let view = try? RTPPacketView(parsing: source),
            view.sequenceNumber == record.sourceSequence,
            view.ssrc == record.translation.sourceSSRC
        else { return nil }
        let descriptor = PictureNumbering(codec: configuration.codec, payload: view.payload)
        return write(view, descriptor: descriptor, translation: record.translation, now: now, into: out)?.length
    }

    /// Offsets that make `view` follow the last packet sent.
    private func switchTranslation(
        to view: RTPPacketView, layer: Int, descriptor: PictureNumbering?, now: UInt64
    ) -> Translation {
        let nextSequence = lastSequence &+ 1
        var nextTimestamp = lastTimestamp
        if translation != nil {
            // A plausible gap: the wall time since the last packet, and at least one tick, so
            // that the new source's first frame is a new frame to the decoder.
            nextTimestamp =
                lastTimestamp &+ max(MediaClock.ticks(now &- lastSendTime, clockRate: configuration.clockRate), 1)
        }
        var pictureIDOffset: UInt16 = 0
        if let last = lastPictureID, let pictureID = descriptor?.pictureID {
            pictureIDOffset = (last &+ 1 &- pictureID) & 0x7FFF
        }
        var tl0Offset: UInt8 = 0
        if let last = lastTL0, let tl0 = descriptor?.tl0PictureIndex { tl0Offset = last &+ 1 &- tl0 }
        return Translation(
            sourceSSRC: view.ssrc, layer: layer, highestSourceSequence: view.sequenceNumber, span: 0,
            sequenceOffset: nextSequence &- view.sequenceNumber, timestampOffset: nextTimestamp &- view.timestamp,
            pictureIDOffset: pictureIDOffset, tl0Offset: tl0Offset, captureTimeID: sourceCaptureTimeID)
    }

    /// Writes our header, then the source's payload (and padding), then the VP8/VP9
    /// renumbering; returns the packet's length and its header's.
    private func write(
        _ view: RTPPacketView, descriptor: PictureNumbering?, translation: Translation, now: UInt64,
        into out: UnsafeMutableRawBufferPointer
    ) -> (length: Int, header: Int)? {
        var capture: Range<Int>?
        if captureTimeID != nil, let sourceID = translation.captureTimeID {
            capture = AbsoluteCaptureTime.valueRange(in: view, id: sourceID)
        }
        let extensionLength = Self.extensionBlockLength(
            configuration: configuration, midLength: midLength, captureLength: capture?.count ?? 0)
        let header = 12 + extensionLength
        let tail = UnsafeRawBufferPointer(rebasing: view.bytes[view.payloadRange.lowerBound...])
        let length = header + tail.count
        guard out.count >= length else { return nil }
        var writer = ByteWriter(out)
        do {
            try writer.write(0x80 | (view.hasPadding ? 0x20 : 0) | (extensionLength > 0 ? 0x10 : 0) as UInt8)
            try writer.write((view.marker ? 0x80 : 0) | configuration.payloadType & 0x7F)
            try writer.write(view.sequenceNumber &+ translation.sequenceOffset)
            try writer.write(view.timestamp &+ translation.timestampOffset)
            try writer.write(configuration.ssrc)
            if extensionLength > 0 {
                let captureValue = capture.map { UnsafeRawBufferPointer(rebasing: view.bytes[$0]) }
                try writeExtensions(blockLength: extensionLength, captureValue: captureValue, now: now, into: &writer)
            }
            try writer.write(bytes: tail)
        } catch {
            return nil
        }
        if let descriptor {
            let payload = UnsafeMutableRawBufferPointer(rebasing: out[header..<(header + view.payloadRange.count)])
            descriptor.shift(pictureIDBy: translation.pictureIDOffset, tl0By: translation.tl0Offset, in: payload)
        }
        return (length, header)
    }

    /// The RFC 8285 §4.2 one-byte extension block: 0xBEDE, length in words, elements, zero padding.
    /// `captureValue` is the source's abs-capture-time value (8 or 16 bytes), copied as is.
    private func writeExtensions(
        blockLength: Int, captureValue: UnsafeRawBufferPointer?, now: UInt64, into writer: inout ByteWriter
    ) throws(ByteWriter.Overflow) {
        let start = writer.offset
        try writer.write(UInt16(0xBEDE))
        try writer.write(UInt16((blockLength - 4) / 4))
        if let id = configuration.absSendTimeID {
            try writer.write(id << 4 | 2)
            try writer.writeUInt24(AbsoluteSendTime.value(now: now))
        }
        if let id = configuration.midID, midLength > 0 {
            try writer.write(id << 4 | UInt8(midLength - 1))
            for index in 0..<midLength { try writer.write(configuration.mid[index]) }
        }
        if let id = captureTimeID, let captureValue {
            // RFC 8285 §4.2: the 4-bit length field is the value's length minus one (7 or 15).
            try writer.write(id << 4 | UInt8(captureValue.count - 1))
            try writer.write(bytes: captureValue)
        }
        try writer.writeZeros(blockLength - (writer.offset - start))
    }
}
