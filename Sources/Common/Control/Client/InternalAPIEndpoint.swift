/// The host and port of an `apiBase` (`http://host:port`): an IPv4 literal or a host name, and
/// a port. Anything else (https, IPv6 brackets, paths, user info) is refused as unreachable,
/// since the internal API is plain HTTP inside the mesh and its requests are signed instead.
struct InternalAPIEndpoint: Sendable, Equatable {
    let host: String
    let port: Int

    init(apiBase: String) throws(InternalAPIFailure) {
        let refusal = InternalAPIFailure.unreachable("bad apiBase '\(apiBase.prefix(100))': expected http://host:port")
        guard apiBase.hasPrefix("http://") else { throw refusal }
        var authority = apiBase.dropFirst("http://".count)
        if authority.hasSuffix("/") { authority.removeLast() }
        guard let colon = authority.lastIndex(of: ":") else { throw refusal }
        let host = authority[..<colon]
        let portText = authority[authority.index(after: colon)...]
        let isHostCharacter = { (byte: UInt8) -> Bool in
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E: true
            default: false
            }
        }
        guard !host.isEmpty, host.count <= 253, host.utf8.allSatisfy(isHostCharacter),
            (1...5).contains(portText.count), portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let port = Int(portText), (1...65535).contains(port)
        else { throw refusal }
        self.host = String(host)
        self.port = port
    }

    /// The `Host` header value (RFC 9110 §7.2).
    var authority: String { "\(host):\(port)" }
}
