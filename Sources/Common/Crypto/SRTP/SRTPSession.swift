import CLibSRTP

/// Creates the libsrtp session both directions share; the caller owns and deallocates it.
enum SRTPSession {
    /// Builds a libsrtp session whose single template stream matches any SSRC in `direction`.
    ///
    /// `srtp_create` copies the key material into its own state, so the concatenated key and
    /// salt only need to live for the call.
    static func create(
        _ masterKey: SRTPMasterKey, direction: srtp_ssrc_type_t, replayWindow: Int
    ) throws(SRTPError) -> srtp_t {
        try LibSRTP.ensureInitialized()
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
        policy.ssrc.type = direction
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = 0
        var material = masterKey.key + masterKey.salt
        var session: srtp_t?
        let status = material.withUnsafeMutableBufferPointer { material in
            policy.key = material.baseAddress
            return srtp_create(&session, &policy)
        }
        try SRTPError.check(status)
        guard let session else { throw .allocationFailed }
        return session
    }
}
