import CLibSRTP

/// Authenticates, replay-checks and decrypts incoming SRTP and SRTCP for every SSRC a peer
/// sends (RFC 3711 §3.3).
///
/// One media worker owns each receiver: it is `~Copyable`, its methods are `mutating`, and it is
/// not `Sendable`. Each call works in place in the caller's buffer and allocates nothing.
/// Both profiles run Meshcast's own transforms by default (see ``SRTPSender`` for why); with
/// ``SRTPImplementation/libsrtp``, libsrtp clones its template stream once per new SSRC.
public struct SRTPReceiver: ~Copyable {
    /// The libsrtp session, when ``SRTPImplementation/libsrtp`` was asked for.
    private let session: srtp_t?
    /// The RFC 7714 transform, for the GCM profile.
    private let aead: AEADSRTPContext?
    /// The RFC 3711 transform, for the AES-CM profile.
    private let counterMode: AESCMSRTPContext?
    /// The master key, kept to add libsrtp streams with a known rollover counter.
    private let masterKey: SRTPMasterKey
    private let replayWindow: Int
    /// The profile the master key was made for.
    public var profile: SRTPProfile { masterKey.profile }

    /// A receiver keyed with `masterKey`; `replayWindow` packets behind the newest are accepted
    /// once each (RFC 3711 §3.3.2 asks for at least 64; at most 32767). `maximumSSRCs` is the
    /// most SSRCs it accepts packets of (``SRTPSender/defaultMaximumSSRCs`` unless told: a relay
    /// link's receiving end takes more); libsrtp has no such limit.
    /// `implementation` picks Meshcast's own transforms (the default) or libsrtp's.
    public init(
        _ masterKey: SRTPMasterKey, replayWindow: Int = 1024, maximumSSRCs: Int = SRTPSender.defaultMaximumSSRCs,
        implementation: SRTPImplementation = .builtIn
    ) throws(SRTPError) {
        guard (64...0x7fff).contains(replayWindow) else { throw .badParameter }
        // Built into locals first: a ~Copyable value with a deinit must be fully initialised
        // on every path that leaves the initialiser.
        var session: srtp_t? = nil
        var aead: AEADSRTPContext? = nil
        var counterMode: AESCMSRTPContext? = nil
        switch (implementation, masterKey.profile) {
        case (.libsrtp, _):
            session = try SRTPSession.create(masterKey, direction: ssrc_any_inbound, replayWindow: replayWindow)
        case (.builtIn, .aesCM128HmacSHA1_80):
            counterMode = try AESCMSRTPContext(
                masterKey, sending: false, replayWindow: replayWindow, maximumSSRCs: maximumSSRCs)
        case (.builtIn, .aeadAES128GCM):
            aead = try AEADSRTPContext(
                masterKey, sending: false, replayWindow: replayWindow, maximumSSRCs: maximumSSRCs)
        }
        self.session = session
        self.aead = aead
        self.counterMode = counterMode
        self.masterKey = masterKey
        self.replayWindow = replayWindow
    }

    /// Sets the rollover counter (RFC 3711 §3.3.1) for `ssrc` before or between packets, for a
    /// stream joined after its sequence numbers wrapped. Control-plane call: it may allocate.
    public mutating func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        if let aead { return try aead.setRolloverCounter(rolloverCounter, forSSRC: ssrc) }
        if let counterMode { return try counterMode.setRolloverCounter(rolloverCounter, forSSRC: ssrc) }
        guard let session else { throw .badParameter }
        try SRTPSession.setRolloverCounter(
            rolloverCounter, ssrc: ssrc, in: session, masterKey: masterKey, replayWindow: replayWindow)
    }

    deinit { if let session { srtp_dealloc(session) } }

    /// Unprotects the SRTP packet in `buffer[0..<length]` and returns the RTP packet's length.
    public mutating func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try checkLength(buffer, length: length)
        if let aead { return try aead.unprotectRTP(buffer, length: length) }
        if let counterMode { return try counterMode.unprotectRTP(buffer, length: length) }
        return try unprotect(buffer, length: length, srtp_unprotect)
    }

    /// Unprotects the SRTCP packet in `buffer[0..<length]` and returns the RTCP packet's length.
    public mutating func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        try checkLength(buffer, length: length)
        if let aead { return try aead.unprotectRTCP(buffer, length: length) }
        if let counterMode { return try counterMode.unprotectRTCP(buffer, length: length) }
        return try unprotect(buffer, length: length, srtp_unprotect_rtcp)
    }

    private func checkLength(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) {
        guard length >= 0, length <= buffer.count, length <= Int(Int32.max) else { throw .badParameter }
    }

    private func unprotect(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int,
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        var newLength = Int32(length)
        try SRTPError.check(operation(session, buffer.baseAddress, &newLength))
        return Int(newLength)
    }
}

@available(*, unavailable, message: "an SRTP receiver belongs to one worker")
extension SRTPReceiver: Sendable {}
