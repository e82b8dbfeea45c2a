extension TransportWideCCFeedback {
    /// Builds feedback for consecutive packets from `baseSequenceNumber`: `receiveTimes[i]` is
    /// when packet `base + i` arrived, in microseconds on any fixed clock, or `nil` if it did not.
    ///
    /// The reference time is the first arrival floored to 64 ms; deltas are 250 µs ticks from
    /// the previous arrival. Chunks are run-length where a run is 14 or longer (or ends the
    /// list), else one-bit vectors, or two-bit vectors where a large delta needs them.
    public init(
        senderSSRC: UInt32, mediaSSRC: UInt32, feedbackPacketCount: UInt8, baseSequenceNumber: UInt16,
        receiveTimes: [Int64?]
    ) throws(RTCPError) {
        guard receiveTimes.count <= Int(UInt16.max) else {
            throw .tooManyEntries(count: receiveTimes.count, limit: Int(UInt16.max))
        }
        let firstArrival = receiveTimes.lazy.compactMap { $0 }.first ?? 0
        let reference = Self.floorDivide(firstArrival, Self.referenceTimeUnitMicroseconds)
        guard reference >= -(1 << 23), reference < 1 << 23 else { throw .valueOutOfRange(field: "TWCC reference time") }

        var symbols: [UInt8] = []
        var deltas: [UInt8] = []
        symbols.reserveCapacity(receiveTimes.count)
        var previousTick = reference * (Self.referenceTimeUnitMicroseconds / Self.deltaTickMicroseconds)
        for time in receiveTimes {
            guard let time else {
                symbols.append(0)
                continue
            }
            let tick = Self.floorDivide(time, Self.deltaTickMicroseconds)
            let (delta, overflow) = tick.subtractingReportingOverflow(previousTick)
            guard !overflow else { throw .valueOutOfRange(field: "TWCC receive time \(time)") }
            previousTick = tick
            if (0...255).contains(delta) {
                symbols.append(1)
                deltas.append(UInt8(delta))
            } else if let large = Int16(exactly: delta) {
                symbols.append(2)
                deltas.append(UInt8(truncatingIfNeeded: UInt16(bitPattern: large) >> 8))
                deltas.append(UInt8(truncatingIfNeeded: large))
            } else {
                throw .valueOutOfRange(field: "TWCC receive delta of \(delta) ticks")
            }
        }

        let chunks = Self.encodeChunks(symbols)
        let status = RTCPBytes(
            copying: chunks.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] } + deltas)
        self.init(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, baseSequenceNumber: baseSequenceNumber,
            packetStatusCount: UInt16(receiveTimes.count), referenceTime: Int32(reference),
            feedbackPacketCount: feedbackPacketCount, statusBytes: status)
    }

    /// Builds feedback from sparse `(sequence number, arrival time in µs)` pairs; the smallest
    /// sequence number (in wrap-around order from the first pair) is the base, and gaps are
    /// reported as not received.
    public init(
        senderSSRC: UInt32, mediaSSRC: UInt32, feedbackPacketCount: UInt8,
        arrivals: [(sequenceNumber: UInt16, arrivalTime: Int64)]
    ) throws(RTCPError) {
        guard let anchor = arrivals.first?.sequenceNumber else {
            try self.init(
                senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: feedbackPacketCount,
                baseSequenceNumber: 0, receiveTimes: [])
            return
        }
        // Signed distance from the first pair handles wrap-around and reordering.
        let offsets = arrivals.map { Int(Int16(bitPattern: $0.sequenceNumber &- anchor)) }
        let low = offsets.min() ?? 0
        let high = offsets.max() ?? 0
        var receiveTimes = [Int64?](repeating: nil, count: high - low + 1)
        for (offset, arrival) in zip(offsets, arrivals) { receiveTimes[offset - low] = arrival.arrivalTime }
        try self.init(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, feedbackPacketCount: feedbackPacketCount,
            baseSequenceNumber: anchor &+ UInt16(truncatingIfNeeded: low), receiveTimes: receiveTimes)
    }

    /// A feedback with raw fields, as parsed.
    public init(
        senderSSRC: UInt32, mediaSSRC: UInt32, baseSequenceNumber: UInt16, packetStatusCount: UInt16,
        referenceTime: Int32, feedbackPacketCount: UInt8, statusBytes: RTCPBytes
    ) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.baseSequenceNumber = baseSequenceNumber
        self.packetStatusCount = packetStatusCount
        self.referenceTime = referenceTime
        self.feedbackPacketCount = feedbackPacketCount
        self.statusBytes = statusBytes
    }

    private static func encodeChunks(_ symbols: [UInt8]) -> [UInt16] {
        var chunks: [UInt16] = []
        var index = 0
        while index < symbols.count {
            var run = 1
            while index + run < symbols.count, symbols[index + run] == symbols[index], run < 0x1FFF { run += 1 }
            if run >= 14 || index + run == symbols.count {
                chunks.append(PacketChunk.runLength(symbol: symbols[index], length: run))
                index += run
                continue
            }
            let oneBitWindow = symbols[index..<min(index + 14, symbols.count)]
            if !oneBitWindow.contains(2) {
                chunks.append(PacketChunk.vector(oneBit: oneBitWindow))
                index += oneBitWindow.count
            } else {
                let twoBitWindow = symbols[index..<min(index + 7, symbols.count)]
                chunks.append(PacketChunk.vector(twoBit: twoBitWindow))
                index += twoBitWindow.count
            }
        }
        return chunks
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
    }
}
