import CMeshShims
import COpenSSL

/// Builds the `SSL_CTX` a DTLS-SRTP endpoint runs on: DTLS 1.2 only, our certificate, the peer
/// asked for its certificate, and the SRTP profiles we offer.
enum DTLSContext {
    /// ECDHE with ECDSA certificates only: WebRTC certificates are ECDSA (RFC 8827 §6.5), and
    /// forward secrecy protects exported SRTP keys.
    static let cipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA"

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
