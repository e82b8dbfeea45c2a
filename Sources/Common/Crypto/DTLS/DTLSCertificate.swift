import CMeshShims
import COpenSSL
import Synchronization

/// A self-signed ECDSA P-256 certificate and its private key, the identity a DTLS endpoint
/// presents; peers authenticate it by the fingerprint carried in SDP (RFC 8827 §6.5).
///
/// The key and certificate are never modified after creation, and OpenSSL reference-counts them
/// for every `SSL_CTX` that uses them, so one certificate can serve every worker.
public final class DTLSCertificate: @unchecked Sendable {
    let privateKey: OpaquePointer
    let certificate: OpaquePointer
    /// The SHA-256 fingerprint to put in SDP (`a=fingerprint:sha-256 AB:CD:...`).
    public let fingerprint: CertificateFingerprint

    private init(privateKey: OpaquePointer, certificate: OpaquePointer) throws(OpenSSLError) {
        self.privateKey = privateKey
        self.certificate = certificate
        fingerprint = try CertificateFingerprint.sha256(of: certificate)
    }

    /// The `SSL_CTX`s made for this certificate, by offered profiles (``DTLSContext/shared(for:profiles:)``),
    /// as pointer bits so the dictionary is `Sendable`.
    let contexts = Mutex<[String: UInt]>([:])

    deinit {
        for bits in contexts.withLock({ Array($0.values) }) { SSL_CTX_free(OpaquePointer(bitPattern: bits)) }
        X509_free(certificate)
        EVP_PKEY_free(privateKey)
    }

    /// Generates a fresh P-256 key and a self-signed certificate for it with a random 127-bit
    /// serial, valid from an hour ago (peer clock skew) until `validity` from now.
    public static func generateSelfSigned(
        commonName: String = "meshcast", validity: Duration = .seconds(7 * 24 * 3600)
    ) throws(OpenSSLError) -> DTLSCertificate {
        let key = try generateP256Key()
        guard let certificate = X509_new() else {
            EVP_PKEY_free(key)
            throw OpenSSLError.capture("X509_new")
        }
        do {
            try fill(certificate, key: key, commonName: commonName, validity: validity)
            return try DTLSCertificate(privateKey: key, certificate: certificate)
        } catch {
            X509_free(certificate)
            EVP_PKEY_free(key)
            throw error
        }
    }

    /// The certificate in PEM, for tools that read files (and for tests that hand it to them).
    public func certificatePEM() throws(OpenSSLError) -> String {
        try Self.pem { bio in PEM_write_bio_X509(bio, certificate) }
    }

    /// The private key in unencrypted PKCS#8 PEM. Treat it as a secret.
    public func privateKeyPEM() throws(OpenSSLError) -> String {
        try Self.pem { bio in PEM_write_bio_PrivateKey(bio, privateKey, nil, nil, 0, nil, nil) }
    }

    private static func generateP256Key() throws(OpenSSLError) -> OpaquePointer {
        let context = try OpenSSLError.check(EVP_PKEY_CTX_new_from_name(nil, "EC", nil), "EVP_PKEY_CTX_new_from_name")
        defer { EVP_PKEY_CTX_free(context) }
        try OpenSSLError.check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        try OpenSSLError.check(EVP_PKEY_CTX_set_group_name(context, "P-256"), "EVP_PKEY_CTX_set_group_name")
        var key: OpaquePointer?
        try OpenSSLError.check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        return try OpenSSLError.check(key, "EVP_PKEY_generate")
    }

    private static func fill(
        _ certificate: OpaquePointer, key: OpaquePointer, commonName: String, validity: Duration
    ) throws(OpenSSLError) {
        try OpenSSLError.check(X509_set_version(certificate, 2), "X509_set_version")  // 2 means v3
        var serial = [UInt8](repeating: 0, count: 16)
        try OpenSSLError.check(RAND_bytes(&serial, Int32(serial.count)), "RAND_bytes")
        serial[0] &= 0x7f  // serials are positive INTEGERs (RFC 5280 §4.1.2.2)
        let number = try OpenSSLError.check(BN_bin2bn(serial, Int32(serial.count), nil), "BN_bin2bn")
        defer { BN_free(number) }
        _ = try OpenSSLError.check(BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)), "BN_to_ASN1_INTEGER")
        _ = try OpenSSLError.check(X509_gmtime_adj(X509_getm_notBefore(certificate), -3600), "X509_gmtime_adj")
        _ = try OpenSSLError.check(
            X509_gmtime_adj(X509_getm_notAfter(certificate), Int(validity.components.seconds)), "X509_gmtime_adj")
        try OpenSSLError.check(X509_set_pubkey(certificate, key), "X509_set_pubkey")
        let name = try OpenSSLError.check(X509_get_subject_name(certificate), "X509_get_subject_name")
        try OpenSSLError.check(
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, commonName, -1, -1, 0), "X509_NAME_add_entry_by_txt")
        try OpenSSLError.check(X509_set_issuer_name(certificate, name), "X509_set_issuer_name")
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSLError.capture("X509_sign") }
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws(OpenSSLError) -> String {
        let bio = try OpenSSLError.check(BIO_new(BIO_s_mem()), "BIO_new")
        defer { BIO_free(bio) }
        try OpenSSLError.check(write(bio), "PEM_write_bio")
        var data: UnsafeMutablePointer<CChar>?
        let count = CMeshShims_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { throw OpenSSLError.capture("BIO_get_mem_data") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }
}
