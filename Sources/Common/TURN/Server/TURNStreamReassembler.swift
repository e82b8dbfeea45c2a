import MeshWire

/// Turns the reads of one TCP or TLS connection into whole TURN frames (RFC 8656 §12.5: STUN
/// messages and ChannelData padded to 4 bytes), whatever the reads' boundaries.
///
/// Frames that lie whole in a read are handed over in place; only a frame cut by a read's end
/// is copied, into a buffer kept for the connection's life, so a connection in steady state
/// allocates nothing per frame. After a failure the stream cannot be resynchronised (RFC 8656
/// gives no marker to find the next frame) and the host closes the connection.
public struct TURNStreamReassembler: Sendable {
    /// The largest frame a stream can carry: ChannelData's 4-byte header, 65 535 bytes of data
    /// and 1 byte of padding (a STUN message, 20 + at most 65 532, is shorter).
    public static let maximumFrameLength = TURNChannelData.headerSize + 65_535 + 1
    /// Both kinds of frame say their length in their first 4 bytes.
    static let headerLength = 4

    /// The start of a frame a read cut off, awaiting its end.
    private var partial: [UInt8] = []

    /// An empty reassembler.
    public init() {}

    /// Bytes held for a frame not yet complete.
    public var pendingByteCount: Int { partial.count }

    /// Hands every frame that `bytes` completes to `deliver`, in order (the frame without its
    /// ChannelData padding, valid only during the call), and keeps the tail of an incomplete
    /// one. Throws when the stream holds something that is neither STUN nor ChannelData.
    public mutating func feed(
        _ bytes: UnsafeRawBufferPointer, deliver: (UnsafeRawBufferPointer) -> Void
    ) throws(TURNStreamFramer.Failure) {
        var input = bytes
        while !partial.isEmpty, !input.isEmpty {
            let needed = try missingBytes()
            let taken = min(needed, input.count)
            partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[..<taken]))
            input = UnsafeRawBufferPointer(rebasing: input[taken...])
            if taken == needed { try deliverPartialIfComplete(deliver) }
        }
        while !input.isEmpty {
            guard let (frame, consumed) = try TURNStreamFramer.frame(in: input) else {
                if partial.capacity == 0 { partial.reserveCapacity(2048) }
                partial.append(contentsOf: input)
                return
            }
            deliver(frame)
            input = UnsafeRawBufferPointer(rebasing: input[consumed...])
        }
    }

    /// How many bytes the partial frame still needs: up to its header, or up to its end.
    private func missingBytes() throws(TURNStreamFramer.Failure) -> Int {
        // withUnsafeBytes rethrows untyped errors, so the typed error travels in a Result.
        let length = try partial.withUnsafeBytes { raw in
            Result { () throws(TURNStreamFramer.Failure) in try TURNStreamFramer.frameLength(of: raw) }
        }.get()
        guard let length else { return Self.headerLength - partial.count }
        return length - partial.count
    }

    private mutating func deliverPartialIfComplete(
        _ deliver: (UnsafeRawBufferPointer) -> Void
    ) throws(TURNStreamFramer.Failure) {
        let delivered = try partial.withUnsafeBytes { raw in
            Result { () throws(TURNStreamFramer.Failure) -> Bool in
                guard let (frame, _) = try TURNStreamFramer.frame(in: raw) else { return false }
                deliver(frame)
                return true
            }
        }.get()
        // A frame's header arriving only makes its length known; the loop then asks for the rest.
        if delivered { partial.removeAll(keepingCapacity: true) }
    }
}
