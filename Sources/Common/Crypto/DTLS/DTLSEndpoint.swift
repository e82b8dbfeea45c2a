import CMeshShims
import COpenSSL

/// One side of a DTLS 1.2 handshake with the `use_srtp` extension (RFC 5764), driven purely by
/// datagrams: no sockets, no timers of its own.
///
/// Feed each datagram the peer sent to ``receive(_:)-(UnsafeRawBufferPointer)``, send whatever
/// ``takeOutgoingDatagrams()`` returns, and call ``handleTimeout()`` once ``nextTimeout`` has
/// elapsed so lost flights are retransmitted. When ``state`` becomes `.connected`, ``srtpKeys``
/// hold the master keys for ``SRTPSender`` and ``SRTPReceiver``. One worker owns an endpoint;
/// it is not `Sendable`.
public final class DTLSEndpoint {
    /// Where the session is.
    public enum State: Sendable, Hashable {
        /// Flights are still being exchanged.
        case handshaking
        /// The handshake finished, the peer's fingerprint matched and SRTP keys are ready.
        case connected
        /// The peer closed the session with close_notify, or ``close()`` was called.
        case closed
        /// The session failed; the error thrown at that moment says why.
        case failed
    }

    /// The side this endpoint plays.
    public let role: DTLSRole
    /// The largest datagram ``takeOutgoingDatagrams()`` returns.
    public let mtu: Int
    /// The fingerprint the peer's SDP announced.
    public let expectedPeerFingerprint: CertificateFingerprint
    /// Where the session is.
    public private(set) var state: State = .handshaking
    /// The profile both sides agreed on, once connected.
    public private(set) var negotiatedProfile: SRTPProfile?
    /// The SRTP master keys for both directions, once connected.
    public private(set) var srtpKeys: DTLSSRTPKeys?
    /// The fingerprint of the certificate the peer presented, once the handshake finished.
    public private(set) var peerFingerprint: CertificateFingerprint?

    private let context: OpaquePointer
    private let connection: OpaquePointer
    /// Datagrams from the peer; `SSL_free` frees it.
    private let incoming: OpaquePointer
    /// Records OpenSSL wants sent; `SSL_free` frees it.
    private let outgoing: OpaquePointer
    private var pending: [[UInt8]] = []
    /// Whether ``releaseRecordBuffers()`` freed libssl's record buffers since they were last used.
    private var buffersReleased = false
    /// Whether ``release()`` freed the `SSL` (and its BIOs): from then on only `state` and the
    /// exported keys remain.
    public private(set) var isReleased = false
    /// Records a released endpoint got whose clear content type says alert (RFC 6347 §4.1):
    /// probably the peer's close_notify, which can no longer be authenticated.
    public private(set) var alertsAfterRelease = 0
    /// The close_notify written when the endpoint was released, for ``close()`` to send.
    private var closeNotify: [[UInt8]] = []

    /// An endpoint presenting `certificate`, offering `profiles` in order of preference
    /// (RFC 7714's GCM profile first: it is cheaper per packet and has the shorter trailer).
    public init(
        role: DTLSRole, certificate: DTLSCertificate, expectedPeerFingerprint: CertificateFingerprint,
        mtu: Int = 1200, profiles: [SRTPProfile] = [.aeadAES128GCM, .aesCM128HmacSHA1_80]
    ) throws(DTLSError) {
        self.role = role
        self.mtu = mtu
        self.expectedPeerFingerprint = expectedPeerFingerprint
        do {
            context = try DTLSContext.shared(for: certificate, profiles: profiles)
        } catch {
            throw .openSSL(error)
        }
        guard let connection = SSL_new(context), let incoming = BIO_new(BIO_s_mem()),
            let outgoing = BIO_new(BIO_s_mem())
        else {
            let error = OpenSSLError.capture("SSL_new/BIO_new")
            SSL_CTX_free(context)
            throw .openSSL(error)
        }
        self.connection = connection
        self.incoming = incoming
        self.outgoing = outgoing
        // An empty memory BIO must read as "no datagram yet", not as end of stream.
        _ = CMeshShims_BIO_set_mem_eof_return(incoming, -1)
        _ = CMeshShims_BIO_set_mem_eof_return(outgoing, -1)
        SSL_set_bio(connection, incoming, outgoing)
        // A memory BIO cannot discover the path MTU, so OpenSSL is told it.
        SSL_set_options(connection, CMeshShims_SSL_OP_NO_QUERY_MTU())
        _ = CMeshShims_SSL_set_mtu(connection, mtu)
        DTLS_set_timer_cb(connection, DTLSEndpoint.retransmissionTimer)
        if role == .client { SSL_set_connect_state(connection) } else { SSL_set_accept_state(connection) }
    }

    deinit {
        if !isReleased { SSL_free(connection) }
        SSL_CTX_free(context)
    }

    /// Starts the handshake: a client queues its ClientHello; a server waits for one.
    public func start() throws(DTLSError) {
        guard role == .client else { return }
        try advance()
    }

    /// Feeds one datagram from the peer; replies, if any, are queued for ``takeOutgoingDatagrams()``.
    public func receive(_ datagram: UnsafeRawBufferPointer) throws(DTLSError) {
        guard state == .handshaking || state == .connected else { throw .sessionEnded }
        guard let base = datagram.baseAddress, !datagram.isEmpty else { return }
        if isReleased {
            if datagram[0] == Self.alertContentType { alertsAfterRelease &+= 1 }
            return
        }
        takeBackRecordBuffers()
        guard BIO_write(incoming, base, Int32(clamping: datagram.count)) == Int32(clamping: datagram.count) else {
            throw fail(.openSSL(.capture("BIO_write")))
        }
        try advance()
    }

    /// Feeds one datagram from the peer (control-plane convenience).
    public func receive(_ datagram: [UInt8]) throws(DTLSError) {
        // withUnsafeBytes rethrows untyped errors, so the typed error travels in a Result.
        let outcome = datagram.withUnsafeBytes { bytes in
            Result { () throws(DTLSError) in try receive(bytes) }
        }
        try outcome.get()
    }

    /// The datagrams to send to the peer, oldest first, each at most ``mtu`` bytes.
    public func takeOutgoingDatagrams() -> [[UInt8]] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// How long until ``handleTimeout()`` should run, or `nil` when no flight awaits an answer.
    public var nextTimeout: Duration? {
        var remaining = timeval()
        guard !isReleased, CMeshShims_DTLSv1_get_timeout(connection, &remaining) == 1 else { return nil }
        return .seconds(remaining.tv_sec) + .microseconds(remaining.tv_usec)
    }

    /// Retransmits the last flight if its timer has expired (RFC 6347 §4.2.4).
    public func handleTimeout() throws(DTLSError) {
        guard state == .handshaking else { return }
        defer { collectOutgoing() }
        if CMeshShims_DTLSv1_handle_timeout(connection) < 0 {
            throw fail(.openSSL(.capture("DTLSv1_handle_timeout")))
        }
    }

    /// Sends close_notify and ends the session.
    public func close() {
        guard state == .handshaking || state == .connected else { return }
        if isReleased {
            pending = closeNotify
            closeNotify = []
            state = .closed
            return
        }
        takeBackRecordBuffers()
        _ = SSL_shutdown(connection)
        _ = OpenSSLError.capture("SSL_shutdown")  // a failed close leaves nothing to report
        state = .closed
        collectOutgoing()
    }

    /// The TLS record content type of an alert (RFC 5246 §6.2.1), in every DTLS record header.
    static let alertContentType: UInt8 = 21

    /// Frees the `SSL` of a connected association: its handshake buffer (about 22 KB, which
    /// libssl keeps for DTLS over UDP to answer a retransmitted final flight) and its state
    /// (about 8 KB). Call it once the peer has shown it finished the handshake (it sent
    /// authenticated SRTP or SRTCP, so it has the final flight): after that a WebRTC
    /// association carries a DTLS record only to close it. The close_notify is written now and
    /// kept for ``close()`` (the association sends no other record, so its sequence number
    /// stays the next one). Records from the peer are afterwards only looked at for an alert's
    /// content type (``alertsAfterRelease``), which the caller must confirm by other means: it can
    /// no longer be authenticated.
    public func release() {
        guard state == .connected, !isReleased else { return }
        takeBackRecordBuffers()
        _ = SSL_shutdown(connection)
        _ = OpenSSLError.capture("SSL_shutdown")
        var data: UnsafeMutablePointer<CChar>?
        let count = CMeshShims_BIO_get_mem_data(outgoing, &data)
        if count > 0, let data {
            DTLSDatagramPacker.pack(UnsafeRawBufferPointer(start: data, count: count), mtu: mtu, into: &closeNotify)
        }
        SSL_free(connection)
        isReleased = true
    }

    /// Runs the handshake, or after it reads records so alerts from the peer are seen.
    private func advance() throws(DTLSError) {
        defer { collectOutgoing() }
        if state == .handshaking {
            let result = SSL_do_handshake(connection)
            if result == 1 {
                try finishHandshake()
            } else {
                try check(result, "SSL_do_handshake")
            }
        }
        if state == .connected {
            // Application data is not used on WebRTC's DTLS association; reading drains it and
            // surfaces close_notify and fatal alerts.
            var result: Int32 = 1
            while result > 0 {
                result = withUnsafeTemporaryAllocation(byteCount: 2048, alignment: 1) { scratch in
                    SSL_read(connection, scratch.baseAddress, Int32(scratch.count))
                }
            }
            try check(result, "SSL_read")
            releaseRecordBuffers()
        }
    }

    /// Frees libssl's read and write record buffers (about 33 KB, sized for 16 KB records) once
    /// the session is connected and nothing is pending: after the handshake a WebRTC association
    /// carries a DTLS record only for an alert or a retransmitted flight. What stays is the
    /// handshake buffer libssl keeps for DTLS over UDP (about 21 KB, to answer a retransmitted
    /// final flight) and the `SSL` itself, until ``release()``.
    private func releaseRecordBuffers() {
        guard state == .connected else { return }
        buffersReleased = SSL_free_buffers(connection) == 1
    }

    /// Allocates the record buffers again before libssl may write. `SSL_free_buffers(3)` says
    /// they come back on the next read or write, but OpenSSL 3.0's DTLS record writer (alerts,
    /// a retransmitted flight) writes into the buffer without allocating it: it crashed here.
    private func takeBackRecordBuffers() {
        guard buffersReleased else { return }
        buffersReleased = SSL_alloc_buffers(connection) != 1
    }

    /// Turns a non-positive libssl result into a state change and error, or returns when
    /// OpenSSL only waits for more datagrams.
    private func check(_ result: Int32, _ operation: String) throws(DTLSError) {
        switch SSL_get_error(connection, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        case SSL_ERROR_ZERO_RETURN:
            state = .closed
            _ = OpenSSLError.capture(operation)
            throw .closedByPeer
        default:
            throw fail(.openSSL(.capture(operation)))
        }
    }

    /// Checks the peer against its SDP fingerprint, then learns the profile and exports keys.
    private func finishHandshake() throws(DTLSError) {
        guard let certificate = SSL_get1_peer_certificate(connection) else {
            throw fail(.fingerprintMismatch(expected: expectedPeerFingerprint, actual: nil))
        }
        defer { X509_free(certificate) }
        let actual: CertificateFingerprint
        do {
            actual = try expectedPeerFingerprint.sameAlgorithm(of: certificate)
        } catch {
            throw fail(.openSSL(error))
        }
        peerFingerprint = actual
        guard actual == expectedPeerFingerprint else {
            // The peer believes the handshake succeeded; close_notify tells it otherwise.
            _ = SSL_shutdown(connection)
            _ = OpenSSLError.capture("SSL_shutdown")
            throw fail(.fingerprintMismatch(expected: expectedPeerFingerprint, actual: actual))
        }
        guard let selected = SSL_get_selected_srtp_profile(connection),
            let profile = SRTPProfile(dtlsIdentifier: UInt16(truncatingIfNeeded: selected.pointee.id))
        else { throw fail(.noSRTPProfile) }
        var material = [UInt8](repeating: 0, count: DTLSSRTPKeys.exportLength(for: profile))
        let label = "EXTRACTOR-dtls_srtp"  // RFC 5764 §4.2
        guard
            SSL_export_keying_material(
                connection, &material, material.count, label, label.utf8.count, nil, 0, 0) == 1
        else { throw fail(.openSSL(.capture("SSL_export_keying_material"))) }
        do {
            srtpKeys = try DTLSSRTPKeys(exported: material, profile: profile)
        } catch {
            throw fail(.keyExport(error))
        }
        negotiatedProfile = profile
        state = .connected
    }

    private func fail(_ error: DTLSError) -> DTLSError {
        state = .failed
        return error
    }

    /// Moves what OpenSSL wrote into datagrams, emptying the memory BIO.
    private func collectOutgoing() {
        var data: UnsafeMutablePointer<CChar>?
        let count = CMeshShims_BIO_get_mem_data(outgoing, &data)
        guard count > 0, let data else { return }
        DTLSDatagramPacker.pack(UnsafeRawBufferPointer(start: data, count: count), mtu: mtu, into: &pending)
        _ = CMeshShims_BIO_reset(outgoing)
    }

    /// The retransmission schedule: 100 ms first, then doubling up to 6.4 s. OpenSSL's default
    /// first wait of one second (RFC 6347 §4.2.4.1) is long for media set-up on lossy links, and
    /// RFC 6347 allows shorter values.
    private static let retransmissionTimer: DTLS_timer_cb = { _, previousMicroseconds in
        previousMicroseconds == 0 ? 100_000 : min(previousMicroseconds &* 2, 6_400_000)
    }
}

@available(*, unavailable, message: "a DTLS endpoint belongs to one worker")
extension DTLSEndpoint: Sendable {}
