import CMeshShims
import COpenSSL
import Glibc

/// One request and its response over a fresh TLS connection on a blocking socket (the webhook
/// deliverer's HTTPS: a few posts a second at most, each on its own thread, so no event loop
/// and no memory BIOs). The server's certificate chain is verified against `caFile` (PEM) or,
/// without one, the system's trust store, and its name against `host` (SNI sent); TLS 1.2 or
/// newer. Every OpenSSL failure goes through ``OpenSSLError``.
public enum TLSClientExchange {
    /// Why no response came back.
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// No address of the host answered.
        case connect(String)
        /// The handshake or the verification failed, or the connection broke mid-exchange.
        case tls(OpenSSLError)

        public var description: String {
            switch self {
            case .connect(let reason): "cannot connect: \(reason)"
            case .tls(let error): "TLS: \(error)"
            }
        }
    }

    /// Sends `request` (a whole HTTP/1.1 request with `Connection: close`) to `host:port` and
    /// returns what the server sent until it closed, at most `limit` bytes. Each socket read,
    /// write and the connect may take `timeout`.
    public static func send(
        _ request: [UInt8], host: String, port: Int, caFile: String?, timeout: Duration, limit: Int = 1 << 20
    ) throws(Failure) -> [UInt8] {
        let socket = try connect(host: host, port: port, timeout: timeout)
        defer { close(socket) }
        let context: OpaquePointer
        do {
            context = try OpenSSLError.check(SSL_CTX_new(TLS_client_method()), "SSL_CTX_new")
        } catch {
            throw .tls(error)
        }
        defer { SSL_CTX_free(context) }
        guard let connection = SSL_new(context) else { throw .tls(OpenSSLError.capture("SSL_new")) }
        defer { SSL_free(connection) }
        do throws(OpenSSLError) {
            guard CMeshShims_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
                throw OpenSSLError.capture("SSL_CTX_set_min_proto_version")
            }
            if let caFile {
                try OpenSSLError.check(
                    SSL_CTX_load_verify_locations(context, caFile, nil), "SSL_CTX_load_verify_locations(\(caFile))")
            } else {
                try OpenSSLError.check(SSL_CTX_set_default_verify_paths(context), "SSL_CTX_set_default_verify_paths")
            }
            SSL_set_verify(connection, SSL_VERIFY_PEER, nil)
            // SNI (SSL_set_tlsext_host_name is a macro over SSL_ctrl) and the name the certificate must carry.
            _ = host.withCString { name in
                SSL_ctrl(
                    connection, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name),
                    UnsafeMutableRawPointer(mutating: name))
            }
            try OpenSSLError.check(SSL_set1_host(connection, host), "SSL_set1_host(\(host))")
            try OpenSSLError.check(SSL_set_fd(connection, socket), "SSL_set_fd")
            guard SSL_connect(connection) == 1 else {
                let verify = SSL_get_verify_result(connection)
                let error = OpenSSLError.capture("SSL_connect")
                if verify != X509_V_OK, let text = X509_verify_cert_error_string(Int(verify)) {
                    throw OpenSSLError(operation: "SSL_connect", reasons: [String(cString: text)] + error.reasons)
                }
                throw error
            }
            var written = 0
            while written < request.count {
                let count = request[written...].withUnsafeBytes { bytes in
                    SSL_write(connection, bytes.baseAddress, Int32(clamping: bytes.count))
                }
                guard count > 0 else { throw OpenSSLError.capture("SSL_write") }
                written += Int(count)
            }
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while response.count < limit {
                let count = buffer.withUnsafeMutableBytes { SSL_read(connection, $0.baseAddress, Int32($0.count)) }
                if count <= 0 { break }  // close_notify, or the server closed the socket (Connection: close)
                response += buffer[0..<Int(count)]
            }
            return response
        } catch {
            throw .tls(error)
        }
    }

    /// A blocking TCP socket connected to the first address of `host` that answers, with
    /// `timeout` on the connect and on every later read and write.
    private static func connect(host: String, port: Int, timeout: Duration) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw .connect("\(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        let (seconds, attoseconds) = timeout.components
        var limit = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        var problems: [String] = []
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let current = address {
            address = current.pointee.ai_next
            let socket = Glibc.socket(current.pointee.ai_family, current.pointee.ai_socktype, 0)
            guard socket >= 0 else {
                problems.append(String(cString: strerror(errno)))
                continue
            }
            // SO_SNDTIMEO also bounds connect(2) on Linux.
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            if Glibc.connect(socket, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return socket }
            problems.append(String(cString: strerror(errno)))
            close(socket)
        }
        throw .connect("\(host):\(port): \(problems.joined(separator: "; "))")
    }
}
