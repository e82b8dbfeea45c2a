/// Which code protects and unprotects packets for a sender or receiver.
///
/// Meshcast's own transforms are the default for both profiles: they allocate nothing per packet
/// and run on OpenSSL's AES-NI and SHA-NI code, where Debian's libsrtp2 (built on NSS) makes
/// about 14 heap allocations per AES-CM packet. libsrtp stays selectable as the reference
/// implementation: tests and benchmarks compare against it, and an operator who suspects an
/// interop problem can run the same session through it.
public enum SRTPImplementation: Sendable, Hashable, CaseIterable {
    /// RFC 7714 GCM and RFC 3711 AES-CM over OpenSSL EVP, in Meshcast.
    case builtIn
    /// libsrtp2's `srtp_protect` / `srtp_unprotect` family.
    case libsrtp
}
