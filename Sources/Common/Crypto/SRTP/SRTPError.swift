import CLibSRTP

/// A failure reported by libsrtp or by the built-in `AEAD_AES_128_GCM` transform, or a misuse
/// caught before either runs.
///
/// This is the one place `srtp_err_status_t` becomes a Swift error: every libsrtp call goes
/// through ``SRTPError/check(_:)``. The GCM transform throws the same cases libsrtp would.
public enum SRTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The authentication tag did not verify (`srtp_err_status_auth_fail`): tampered, or wrong key.
    case authFail
    /// The packet index was already seen (`srtp_err_status_replay_fail`, RFC 3711 §3.3.2).
    case replayFail
    /// The packet index is older than the replay window (`srtp_err_status_replay_old`).
    case replayOld
    /// libsrtp rejected a parameter, or the packet is malformed (`srtp_err_status_bad_param`).
    case badParameter
    /// libsrtp could not allocate (`srtp_err_status_alloc_fail`).
    case allocationFailed
    /// libsrtp could not initialise itself (`srtp_err_status_init_fail`).
    case initFailed
    /// The cipher failed (`srtp_err_status_cipher_fail`).
    case cipherFail
    /// libsrtp could not parse the packet (`srtp_err_status_parse_err`).
    case parseError
    /// The key has protected its maximum number of packets (`srtp_err_status_key_expired`).
    case keyExpired
    /// No stream context matches the packet (`srtp_err_status_no_ctx`).
    case noContext
    /// Any other libsrtp status, by number.
    case other(status: UInt32)
    /// The caller's buffer has no room for the trailer `protect` appends.
    case bufferTooSmall(capacity: Int, required: Int)
    /// A context already tracks its maximum number of SSRCs; state for another would have to
    /// be allocated on the packet path, which the AEAD_AES_128_GCM implementation never does.
    case tooManyStreams(limit: Int)
    /// The master key or salt length does not match the profile (RFC 3711 §8.2, RFC 7714 §14.2).
    case wrongKeyLength(expected: Int, actual: Int)

    /// A readable sentence naming the failure.
    public var description: String {
        switch self {
        case .authFail: "SRTP authentication failed (srtp_err_status_auth_fail)"
        case .replayFail: "SRTP replay check failed: index already seen (srtp_err_status_replay_fail)"
        case .replayOld: "SRTP replay check failed: index older than the window (srtp_err_status_replay_old)"
        case .badParameter: "SRTP bad parameter or malformed packet (srtp_err_status_bad_param)"
        case .allocationFailed: "SRTP allocation failed (srtp_err_status_alloc_fail)"
        case .initFailed: "SRTP library initialisation failed (srtp_err_status_init_fail)"
        case .cipherFail: "SRTP cipher failure (srtp_err_status_cipher_fail)"
        case .parseError: "SRTP packet parse error (srtp_err_status_parse_err)"
        case .keyExpired: "SRTP key expired (srtp_err_status_key_expired)"
        case .noContext: "SRTP has no stream context for this packet (srtp_err_status_no_ctx)"
        case .other(let status): "SRTP failure, libsrtp status \(status)"
        case .bufferTooSmall(let capacity, let required):
            "SRTP buffer too small: \(capacity) bytes, \(required) needed for the trailer"
        case .tooManyStreams(let limit):
            "SRTP context already tracks its limit of \(limit) SSRCs"
        case .wrongKeyLength(let expected, let actual):
            "SRTP master key material has \(actual) bytes, the profile needs \(expected)"
        }
    }

    /// Maps a libsrtp status to the error, or `nil` for `srtp_err_status_ok`.
    init?(status: srtp_err_status_t) {
        switch status {
        case srtp_err_status_ok: return nil
        case srtp_err_status_auth_fail: self = .authFail
        case srtp_err_status_replay_fail: self = .replayFail
        case srtp_err_status_replay_old: self = .replayOld
        case srtp_err_status_bad_param: self = .badParameter
        case srtp_err_status_alloc_fail: self = .allocationFailed
        case srtp_err_status_init_fail: self = .initFailed
        case srtp_err_status_cipher_fail: self = .cipherFail
        case srtp_err_status_parse_err: self = .parseError
        case srtp_err_status_key_expired: self = .keyExpired
        case srtp_err_status_no_ctx: self = .noContext
        default: self = .other(status: status.rawValue)
        }
    }

    /// Throws the error a libsrtp status stands for; returns on `srtp_err_status_ok`.
    @inline(__always)
    static func check(_ status: srtp_err_status_t) throws(SRTPError) {
        if let error = SRTPError(status: status) { throw error }
    }
}
