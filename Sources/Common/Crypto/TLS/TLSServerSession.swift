import CMeshShims
import COpenSSL

/// The server side of one TLS connection over memory BIOs: the host feeds the bytes its socket
/// read, gets the decrypted application data back, and sends what ``flush(_:)`` hands it. No
/// socket and no thread of its own, like ``DTLSEndpoint``; one loop owns a session.
public final class TLSServerSession {
    /// Where the session is.
    public enum State: Sendable, Hashable {
        /// The handshake has not finished.
        case handshaking
        /// Application data flows.
        case established
        /// The client sent close_notify, or the session failed.
        case closed
    }

    /// Where the session is.
    public private(set) var state: State = .handshaking
    private let connection: OpaquePointer
    /// Bytes from the client; `SSL_free` frees it.
    private let incoming: OpaquePointer
    /// Records for the client; `SSL_free` frees it.
    private let outgoing: OpaquePointer

    /// A session accepting a handshake with `context`'s certificate.
    public init(context: TLSServerContext) throws(OpenSSLError) {
        guard let connection = SSL_new(context.context) else { throw OpenSSLError.capture("SSL_new") }
        guard let incoming = BIO_new(BIO_s_mem()), let outgoing = BIO_new(BIO_s_mem()) else {
            SSL_free(connection)
            throw OpenSSLError.capture("BIO_new")
        }
        // An empty memory BIO must read as "no bytes yet", not as the end of the stream.
        _ = CMeshShims_BIO_set_mem_eof_return(incoming, -1)
        _ = CMeshShims_BIO_set_mem_eof_return(outgoing, -1)
        SSL_set_bio(connection, incoming, outgoing)
        SSL_set_accept_state(connection)
        self.connection = connection
        self.incoming = incoming
        self.outgoing = outgoing
    }

    deinit { SSL_free(connection) }

    /// Feeds bytes the client sent; hands each piece of decrypted application data to
    /// `deliver` (valid only during the call). Handshake records to send wait for
    /// ``flush(_:)``. Throws when the client's bytes are not TLS or the handshake fails; after
    /// close_notify the state is `.closed` and nothing is delivered.
    public func receive(
        _ bytes: UnsafeRawBufferPointer, deliver: (UnsafeRawBufferPointer) -> Void
    ) throws(OpenSSLError) {
        guard state != .closed else { return }
        if let base = bytes.baseAddress, !bytes.isEmpty {
            guard BIO_write(incoming, base, Int32(clamping: bytes.count)) == Int32(clamping: bytes.count) else {
                throw fail("BIO_write")
            }
        }
        if state == .handshaking {
            let result = SSL_do_handshake(connection)
            guard result == 1 else {
                try check(result, "SSL_do_handshake")
                return
            }
            state = .established
        }
        // One TLS record holds at most 16 KiB of plaintext; the scratch is on the stack.
        try withUnsafeTemporaryAllocation(byteCount: 16_384, alignment: 8) { scratch throws(OpenSSLError) in
            while state == .established {
                let count = SSL_read(connection, scratch.baseAddress, Int32(scratch.count))
                guard count > 0 else {
                    try check(count, "SSL_read")
                    return
                }
                deliver(UnsafeRawBufferPointer(rebasing: scratch[..<Int(count)]))
            }
        }
    }

    /// Encrypts `bytes` for the client; the records wait for ``flush(_:)``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OpenSSLError) {
        guard state == .established else {
            throw OpenSSLError(operation: "SSL_write before the handshake", reasons: [])
        }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        // A memory BIO takes everything, so a write is never partial.
        let written = SSL_write(connection, base, Int32(clamping: bytes.count))
        guard written == Int32(clamping: bytes.count) else { throw fail("SSL_write") }
    }

    /// Hands the bytes waiting for the client (handshake records, encrypted data, alerts) to
    /// `send`, once, and empties the buffer.
    public func flush(_ send: (UnsafeRawBufferPointer) -> Void) {
        var data: UnsafeMutablePointer<CChar>?
        let count = CMeshShims_BIO_get_mem_data(outgoing, &data)
        guard count > 0, let data else { return }
        send(UnsafeRawBufferPointer(start: data, count: count))
        _ = CMeshShims_BIO_reset(outgoing)
    }

    /// Sends close_notify (collect it with ``flush(_:)``) and ends the session.
    public func close() {
        guard state != .closed else { return }
        if state == .established {
            _ = SSL_shutdown(connection)
            _ = OpenSSLError.capture("SSL_shutdown")  // a failed close leaves nothing to report
        }
        state = .closed
    }

    /// Returns when OpenSSL only waits for more bytes; marks the session closed on
    /// close_notify; throws on anything else.
    private func check(_ result: Int32, _ operation: String) throws(OpenSSLError) {
        switch SSL_get_error(connection, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return
        case SSL_ERROR_ZERO_RETURN:
            _ = OpenSSLError.capture(operation)
            state = .closed
        default:
            throw fail(operation)
        }
    }

    private func fail(_ operation: String) -> OpenSSLError {
        state = .closed
        return OpenSSLError.capture(operation)
    }
}

@available(*, unavailable, message: "a TLS session belongs to one loop")
extension TLSServerSession: Sendable {}
