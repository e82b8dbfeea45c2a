import CMeshShims
import COpenSSL

/// The certificate, key and protocol settings a TLS server presents (an `SSL_CTX`), loaded
/// from PEM files: TLS 1.2 or newer, OpenSSL's default cipher suites.
///
/// Immutable once made, so one context serves every connection on any thread. To take a
/// renewed certificate, load a new context and start new connections on it: a connection keeps
/// the context it started with (`SSL_new` holds a reference), so nothing is cut off.
public final class TLSServerContext: @unchecked Sendable {
    let context: OpaquePointer
    /// The certificate chain file it was loaded from.
    public let certificatePath: String
    /// The private key file it was loaded from.
    public let keyPath: String

    /// Loads the PEM certificate chain at `certificatePath` (leaf first) and the PEM private
    /// key at `keyPath`, and checks that they belong together.
    public init(certificatePath: String, keyPath: String) throws(OpenSSLError) {
        let context = try OpenSSLError.check(SSL_CTX_new(TLS_server_method()), "SSL_CTX_new")
        do throws(OpenSSLError) {
            guard CMeshShims_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
                throw OpenSSLError.capture("SSL_CTX_set_min_proto_version")
            }
            try OpenSSLError.check(
                SSL_CTX_use_certificate_chain_file(context, certificatePath),
                "SSL_CTX_use_certificate_chain_file(\(certificatePath))")
            try OpenSSLError.check(
                SSL_CTX_use_PrivateKey_file(context, keyPath, SSL_FILETYPE_PEM),
                "SSL_CTX_use_PrivateKey_file(\(keyPath))")
            try OpenSSLError.check(SSL_CTX_check_private_key(context), "SSL_CTX_check_private_key")
            // An idle connection gives its read and write buffers back (about 34 KiB each):
            // a TURN server holds many connections that are quiet most of the time.
            _ = CMeshShims_SSL_CTX_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        self.context = context
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    deinit { SSL_CTX_free(context) }
}
