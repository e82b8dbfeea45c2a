import CLibSRTP

@testable import MeshCrypto

/// libsrtp2's own AEAD_AES_128_GCM, driven directly, as the other end of interop tests now that
/// ``SRTPSender`` and ``SRTPReceiver`` no longer use libsrtp for that profile.
final class LibsrtpGCMPeer {
    private let session: srtp_t

    /// A libsrtp session for `masterKey`; `encryptRTCP` false makes it send SRTCP with E = 0
    /// (authenticated only, RFC 7714 §9.3).
    init(_ masterKey: SRTPMasterKey, sending: Bool, encryptRTCP: Bool = true) throws {
        try LibSRTP.ensureInitialized()  // srtp_init once per process, shared with MeshCrypto
        var policy = srtp_policy_t()
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        if !encryptRTCP { policy.rtcp.sec_serv = sec_serv_auth }
        policy.ssrc = srtp_ssrc_t(type: sending ? ssrc_any_outbound : ssrc_any_inbound, value: 0)
        policy.window_size = 1024
        var material = masterKey.key + masterKey.salt
        var created: srtp_t?
        let status = material.withUnsafeMutableBufferPointer { material in
            policy.key = material.baseAddress
            return srtp_create(&created, &policy)
        }
        try Self.check(status)
        guard let created else { throw SRTPError.allocationFailed }
        session = created
    }

    deinit { srtp_dealloc(session) }

    func protectRTP(_ packet: [UInt8]) throws -> [UInt8] { try run(packet, srtp_protect) }
    func protectRTCP(_ packet: [UInt8]) throws -> [UInt8] { try run(packet, srtp_protect_rtcp) }
    func unprotectRTP(_ packet: [UInt8]) throws -> [UInt8] { try run(packet, srtp_unprotect) }
    func unprotectRTCP(_ packet: [UInt8]) throws -> [UInt8] { try run(packet, srtp_unprotect_rtcp) }

    private func run(
        _ packet: [UInt8],
        _ operation: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> srtp_err_status_t
    ) throws -> [UInt8] {
        try inBuffer(packet) { buffer, length in
            var newLength = Int32(length)
            try Self.check(operation(session, buffer.baseAddress, &newLength))
            return Int(newLength)
        }
    }

    private static func check(_ status: srtp_err_status_t) throws {
        guard status == srtp_err_status_ok else { throw LibsrtpFailure(status: status.rawValue) }
    }
}

/// A libsrtp status other than OK, by number (`srtp_err_status_t`).
struct LibsrtpFailure: Error, Equatable {
    let status: UInt32
}
