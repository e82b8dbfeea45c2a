import CLibSRTP

/// The libsrtp calls ``SRTPSender`` and ``SRTPReceiver`` share when built with
/// ``SRTPImplementation/libsrtp``: creating a session and adding streams with a known rollover
/// counter. (By default neither profile goes through libsrtp: see `AEADSRTPContext` and
/// `AESCMSRTPContext`.)
enum SRTPSession {
    /// Builds a libsrtp session whose single template stream matches any SSRC in `direction`;
    /// the caller owns it and frees it with `srtp_dealloc`.
    static func create(
        _ masterKey: SRTPMasterKey, direction: srtp_ssrc_type_t, replayWindow: Int, allowsRepeatedIndex: Bool = false
    ) throws(SRTPError) -> srtp_t {
        try LibSRTP.ensureInitialized()
        var session: srtp_t?
        try withPolicy(
            masterKey, ssrc: srtp_ssrc_t(type: direction, value: 0), replayWindow: replayWindow,
            allowsRepeatedIndex: allowsRepeatedIndex
        ) {
            srtp_create(&session, &$0)
        }
        guard let session else { throw .allocationFailed }
        return session
    }

    /// Makes sure `session` has a stream for `ssrc` and sets its rollover counter
    /// (RFC 3711 §3.3.1), for joining a stream whose sequence numbers have already wrapped.
    static func setRolloverCounter(
        _ rolloverCounter: UInt32, ssrc: UInt32, in session: srtp_t, masterKey: SRTPMasterKey, replayWindow: Int,
        allowsRepeatedIndex: Bool = false
    ) throws(SRTPError) {
        var current: UInt32 = 0
        if srtp_get_stream_roc(session, ssrc, &current) != srtp_err_status_ok {
            // No packet has created the stream from the template yet: add it explicitly.
            try withPolicy(
                masterKey, ssrc: srtp_ssrc_t(type: ssrc_specific, value: ssrc), replayWindow: replayWindow,
                allowsRepeatedIndex: allowsRepeatedIndex
            ) {
                srtp_add_stream(session, &$0)
            }
        }
        try SRTPError.check(srtp_set_stream_roc(session, ssrc, rolloverCounter))
    }

    /// Fills a policy for `masterKey` and runs `body` with it. libsrtp copies the key material
    /// into its own state, so the concatenated key and salt only live for the call.
    /// `allowsRepeatedIndex` sets libsrtp's `allow_repeat_tx`: a sender may protect the same
    /// packet index again, which is safe only when the packet is byte for byte the same.
    private static func withPolicy(
        _ masterKey: SRTPMasterKey, ssrc: srtp_ssrc_t, replayWindow: Int, allowsRepeatedIndex: Bool,
        _ body: (inout srtp_policy_t) -> srtp_err_status_t
    ) throws(SRTPError) {
        // libsrtp accepts windows from 64 up to 0x7fff packets (srtp_rdbx_init).
        guard (64...0x7fff).contains(replayWindow) else { throw .badParameter }
        var policy = srtp_policy_t()
        switch masterKey.profile {
        case .aesCM128HmacSHA1_80:
            // libsrtp's defaults are AES_CM_128_HMAC_SHA1_80; the named setter is a C macro that
            // does not import into Swift.
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        }
        policy.ssrc = ssrc
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = allowsRepeatedIndex ? 1 : 0
        var material = masterKey.key + masterKey.salt
        let status = material.withUnsafeMutableBufferPointer { material in
            policy.key = material.baseAddress
            return body(&policy)
        }
        try SRTPError.check(status)
    }
}
