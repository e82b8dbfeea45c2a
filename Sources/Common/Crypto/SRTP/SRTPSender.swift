import CLibSRTP

/// Encrypts and authenticates outgoing RTP and RTCP for every SSRC a sender uses (RFC 3711 §3.3).
///
/// One media worker owns each sender: it is `~Copyable`, its methods are `mutating`, and it is
/// not `Sendable`, so two threads cannot use the same state. Each call works in place in the
/// caller's buffer and allocates nothing. Both profiles run Meshcast's own transforms over
/// reused OpenSSL contexts (RFC 7714 GCM, RFC 3711 AES-CM with HMAC-SHA1): Debian's libsrtp2 is
/// built on NSS, whose `PK11_Encrypt` allocates on every packet. libsrtp stays selectable
/// (``SRTPImplementation/libsrtp``) as the reference.
public struct SRTPSender: ~Copyable {
    /// The libsrtp session, when ``SRTPImplementation/libsrtp`` was asked for.
    private let session: srtp_t?
    /// The RFC 7714 transform, for the GCM profile.
    private let aead: AEADSRTPContext?
    /// The RFC 3711 transform, for the AES-CM profile.
    private let counterMode: AESCMSRTPContext?
    /// The master key, kept to add libsrtp streams with a known rollover counter.
    private let masterKey: SRTPMasterKey
    private let replayWindow: Int
    private let allowsRepeatedIndex: Bool
    /// The profile the master key was made for.
    public var profile: SRTPProfile { masterKey.profile }

    /// The SSRCs a context takes unless told otherwise: a WebRTC session's peer sends a
    /// handful, and one that invents SSRCs must not grow the table without end.
    public static var defaultMaximumSSRCs: Int { SRTPStreamTable.capacity }

    /// A sender keyed with `masterKey`; `replayWindow` is the transmit-side index window that
    /// refuses to protect one packet index twice (64 to 32767 packets).
    ///
    /// `allowsRepeatedIndex` lets the sender protect a packet index it already protected
    /// (libsrtp's `allow_repeat_tx`), for resending a lost packet unchanged as relay links do
    /// instead of RTX. The caller must resend the identical packet: with a counter-mode cipher
    /// two different plaintexts under one index would leak their XOR (RFC 3711 §9.1, RFC 7714 §8.3).
    ///
    /// `maximumSSRCs` is the most SSRCs it protects for (``defaultMaximumSSRCs``, a WebRTC
    /// session's handful, unless told: a relay link's sending end takes more); libsrtp has no
    /// such limit.
    ///
    /// `implementation` picks Meshcast's own transforms (the default) or libsrtp's.
    public init(
        _ masterKey: SRTPMasterKey, replayWindow: Int = 1024, allowsRepeatedIndex: Bool = false,
        maximumSSRCs: Int = defaultMaximumSSRCs, implementation: SRTPImplementation = .builtIn
    ) throws(SRTPError) {
        guard (64...0x7fff).contains(replayWindow) else { throw .badParameter }
        // Built into locals first: a ~Copyable value with a deinit must be fully initialised
        // on every path that leaves the initialiser.
        var session: srtp_t? = nil
        var aead: AEADSRTPContext? = nil
        var counterMode: AESCMSRTPContext? = nil
        switch (implementation, masterKey.profile) {
        case (.libsrtp, _):
            session = try SRTPSession.create(
                masterKey, direction: ssrc_any_outbound, replayWindow: replayWindow,
                allowsRepeatedIndex: allowsRepeatedIndex)
        case (.builtIn, .aesCM128HmacSHA1_80):
            counterMode = try AESCMSRTPContext(
                masterKey, sending: true, replayWindow: replayWindow, allowsRepeatedIndex: allowsRepeatedIndex,
                maximumSSRCs: maximumSSRCs)
        case (.builtIn, .aeadAES128GCM):
            aead = try AEADSRTPContext(
                masterKey, sending: true, replayWindow: replayWindow, allowsRepeatedIndex: allowsRepeatedIndex,
                maximumSSRCs: maximumSSRCs)
        }
        self.session = session
        self.aead = aead
        self.counterMode = counterMode
        self.masterKey = masterKey
        self.replayWindow = replayWindow
        self.allowsRepeatedIndex = allowsRepeatedIndex
    }

    /// Sets the rollover counter (RFC 3711 §3.3.1) for `ssrc` before or between packets, for a
    /// stream joined after its sequence numbers wrapped. Control-plane call: it may allocate.
    public mutating func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        if let aead { return try aead.setRolloverCounter(rolloverCounter, forSSRC: ssrc) }
        if let counterMode { return try counterMode.setRolloverCounter(rolloverCounter, forSSRC: ssrc) }
        guard let session else { throw .badParameter }
        try SRTPSession.setRolloverCounter(
            rolloverCounter, ssrc: ssrc, in: session, masterKey: masterKey, replayWindow: replayWindow,
            allowsRepeatedIndex: allowsRepeatedIndex)
    }

    deinit { if let session { srtp_dealloc(session) } }

    /// Protects the RTP packet in `buffer[0..<length]` and returns the SRTP packet's length.
    ///
    /// `buffer` must have `profile.rtpTrailerLength` bytes of room after the packet.
    public mutating func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try checkRoom(buffer, length: length, trailer: profile.rtpTrailerLength)
        if let aead { return try aead.protectRTP(buffer, length: length) }
        if let counterMode { return try counterMode.protectRTP(buffer, length: length) }
        return try protect(buffer, length: length, srtp_protect)
    }

    /// Protects the compound RTCP packet in `buffer[0..<length]` and returns the SRTCP length.
    ///
    /// `buffer` must have `profile.rtcpTrailerLength` bytes of room after the packet.
    public mutating func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try checkRoom(buffer, length: length, trailer: profile.rtcpTrailerLength)
        if let aead { return try aead.protectRTCP(buffer, length: length) }
        if let counterMode { return try counterMode.protectRTCP(buffer, length: length) }
        return try protect(buffer, length: length, srtp_protect_rtcp)
    }

    private func checkRoom(_ buffer: UnsafeMutableRawBufferPointer, length: Int, trailer: Int) throws(SRTPError) {
        guard length >= 0, length <= Int(Int32.max) - trailer, buffer.count >= length &+ trailer else {
            throw .bufferTooSmall(capacity: buffer.count, required: max(length, 0) &+ trailer)
        }
    }

    private func protect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int,
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        var newLength = Int32(length)
        try SRTPError.check(operation(session, buffer.baseAddress, &newLength))
        return Int(newLength)
    }
}

@available(*, unavailable, message: "an SRTP sender belongs to one worker")
extension SRTPSender: Sendable {}
