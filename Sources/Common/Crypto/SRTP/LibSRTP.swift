import CLibSRTP

/// libsrtp's process-wide set-up, done once before the first context is created.
///
/// `srtp_init` registers the cipher and auth kernels and must run exactly once; a Swift
/// `static let` is initialised lazily under `swift_once`, so concurrent first callers are safe.
enum LibSRTP {
    private static let initStatus: UInt32 = srtp_init().rawValue

    /// Initialises libsrtp on first use and reports whether that worked.
    static func ensureInitialized() throws(SRTPError) {
        try SRTPError.check(srtp_err_status_t(rawValue: initStatus))
    }
}
