import CMeshShims
import COpenSSL

/// Builds the `SSL_CTX` a DTLS-SRTP endpoint runs on: DTLS 1.2 only, our certificate, the peer
/// asked for its certificate, and the SRTP profiles we offer.
///
/// Endpoints share one context per certificate and profile list (``shared(for:profiles:)``):
/// a context per session cost 5.5 KB per viewer and a certificate and key check per join.
/// OpenSSL allows one `SSL_CTX` under many `SSL`s on many threads; nothing here changes a
/// context after it is made, and its session cache is off, so sessions do not gather in it.
enum DTLSContext {
    /// ECDHE with ECDSA certificates only: WebRTC certificates are ECDSA (RFC 8827 §6.5), and
    /// forward secrecy protects exported SRTP keys.
    static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA"

    /// The context for `certificate` and `profiles`, made on first use; the caller owns one
    /// reference and frees it with `SSL_CTX_free`.
    static func shared(for certificate: DTLSCertificate, profiles: [SRTPProfile]) throws(OpenSSLError)
        -> OpaquePointer
    {
        let key = profiles.map(\.dtlsName).joined(separator: ":")
        let found = certificate.contexts.withLock { contexts -> UInt? in
            guard let bits = contexts[key], let context = OpaquePointer(bitPattern: bits) else { return nil }
            // Taken under the lock: the certificate's reference cannot go while we add ours.
            SSL_CTX_up_ref(context)
            return bits
        }
        if let found, let context = OpaquePointer(bitPattern: found) { return context }
        let made = try make(certificate: certificate, profiles: profiles)
        let chosen = certificate.contexts.withLock { contexts -> UInt in
            // Another worker may have made one meanwhile: keep the first, so all share it.
            let bits = contexts[key] ?? UInt(bitPattern: Int(bitPattern: made))
            contexts[key] = bits
            SSL_CTX_up_ref(OpaquePointer(bitPattern: bits))
            return bits
        }
        guard let context = OpaquePointer(bitPattern: chosen) else { return made }
        if context != made { SSL_CTX_free(made) }
        return context
    }

    /// A new context; the caller frees it with `SSL_CTX_free`.
    static func make(certificate: DTLSCertificate, profiles: [SRTPProfile]) throws(OpenSSLError) -> OpaquePointer {
        let context = try OpenSSLError.check(SSL_CTX_new(DTLS_method()), "SSL_CTX_new")
        do {
            try configure(context, certificate: certificate, profiles: profiles)
            return context
        } catch {
            SSL_CTX_free(context)
            throw error
        }
    }

    private static func configure(
        _ context: OpaquePointer, certificate: DTLSCertificate, profiles: [SRTPProfile]
    ) throws(OpenSSLError) {
        guard CMeshShims_SSL_CTX_set_min_proto_version(context, DTLS1_2_VERSION) == 1,
            CMeshShims_SSL_CTX_set_max_proto_version(context, DTLS1_2_VERSION) == 1
        else { throw OpenSSLError.capture("SSL_CTX_set_min/max_proto_version") }
        try OpenSSLError.check(SSL_CTX_use_certificate(context, certificate.certificate), "SSL_CTX_use_certificate")
        try OpenSSLError.check(SSL_CTX_use_PrivateKey(context, certificate.privateKey), "SSL_CTX_use_PrivateKey")
        try OpenSSLError.check(SSL_CTX_check_private_key(context), "SSL_CTX_check_private_key")
        try OpenSSLError.check(SSL_CTX_set_cipher_list(context, cipherList), "SSL_CTX_set_cipher_list")
        _ = CMeshShims_SSL_CTX_disable_session_cache(context)
        // Record buffers freed whenever drained, where libssl does it for DTLS; the endpoint frees
        // them itself after the handshake (`DTLSEndpoint.releaseRecordBuffers`).
        _ = CMeshShims_SSL_CTX_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        // Peers use self-signed certificates that no chain can verify: accept any certificate
        // here and compare its fingerprint with the SDP one once the handshake is done.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
        // SSL_CTX_set_tlsext_use_srtp returns 0 on success, unlike the rest of libssl.
        let offer = profiles.map(\.dtlsName).joined(separator: ":")
        guard SSL_CTX_set_tlsext_use_srtp(context, offer) == 0 else {
            throw OpenSSLError.capture("SSL_CTX_set_tlsext_use_srtp(\(offer))")
        }
    }
}
