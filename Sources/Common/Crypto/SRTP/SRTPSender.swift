import CLibSRTP

/// Encrypts and authenticates outgoing RTP and RTCP for every SSRC a sender uses (RFC 3711 §3.3).
///
/// One media worker owns each sender: it is `~Copyable`, its methods are `mutating`, and it is
/// not `Sendable`, so two threads cannot use the same libsrtp state. Each call works in place in
/// the caller's buffer and allocates nothing (libsrtp clones its template stream once per new
/// SSRC, not per packet).
public struct SRTPSender: ~Copyable {
    private let session: srtp_t
    /// The master key, kept to add streams with a known rollover counter.
    private let masterKey: SRTPMasterKey
    private let replayWindow: Int
    private let allowsRepeatedIndex: Bool
    /// The profile the master key was made for.
    public var profile: SRTPProfile { masterKey.profile }

    /// A sender keyed with `masterKey`; `replayWindow` is libsrtp's transmit-side index window.
    ///
    /// `allowsRepeatedIndex` lets the sender protect a packet index it already protected
    /// (libsrtp's `allow_repeat_tx`), for resending a lost packet unchanged as relay links do
    /// instead of RTX. The caller must resend the identical packet: with a counter-mode cipher
    /// two different plaintexts under one index would leak their XOR (RFC 3711 §9.1, RFC 7714 §8.3).
    public init(_ masterKey: SRTPMasterKey, replayWindow: Int = 1024, allowsRepeatedIndex: Bool = false)
        throws(SRTPError)
    {
        session = try SRTPSession.create(
            masterKey, direction: ssrc_any_outbound, replayWindow: replayWindow,
            allowsRepeatedIndex: allowsRepeatedIndex)
        self.masterKey = masterKey
        self.replayWindow = replayWindow
        self.allowsRepeatedIndex = allowsRepeatedIndex
    }

    /// Sets the rollover counter (RFC 3711 §3.3.1) for `ssrc` before or between packets, for a
    /// stream joined after its sequence numbers wrapped. Control-plane call: it may allocate.
    public mutating func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        try SRTPSession.setRolloverCounter(
            rolloverCounter, ssrc: ssrc, in: session, masterKey: masterKey, replayWindow: replayWindow,
            allowsRepeatedIndex: allowsRepeatedIndex)
    }

    deinit { srtp_dealloc(session) }

    /// Protects the RTP packet in `buffer[0..<length]` and returns the SRTP packet's length.
    ///
    /// `buffer` must have `profile.rtpTrailerLength` bytes of room after the packet.
    public mutating func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try protect(buffer, length: length, trailer: profile.rtpTrailerLength, srtp_protect)
    }

    /// Protects the compound RTCP packet in `buffer[0..<length]` and returns the SRTCP length.
    ///
    /// `buffer` must have `profile.rtcpTrailerLength` bytes of room after the packet.
    public mutating func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try protect(buffer, length: length, trailer: profile.rtcpTrailerLength, srtp_protect_rtcp)
    }

    private func protect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, trailer: Int,
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        guard length >= 0, length <= Int(Int32.max) - trailer, buffer.count >= length &+ trailer else {
            throw .bufferTooSmall(capacity: buffer.count, required: max(length, 0) &+ trailer)
        }
        var newLength = Int32(length)
        try SRTPError.check(operation(session, buffer.baseAddress, &newLength))
        return Int(newLength)
    }
}

@available(*, unavailable, message: "an SRTP sender belongs to one worker")
extension SRTPSender: Sendable {}
