import Glibc

/// An HTTP/1.1 response: status, headers (names lower-cased) and body.
struct HTTPResponse: Sendable {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]

    /// The body as UTF-8 text.
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no response.
struct HTTPClientError: Error, CustomStringConvertible {
    let description: String
}

/// A tiny blocking HTTP/1.1 client over a POSIX TCP socket: one request per connection
/// (`Connection: close`), bodies by `Content-Length`, chunked, or until close. Control plane
/// only (WHEP POST/DELETE, a metrics scrape), so it favours plainness over speed.
enum HTTPClient {
    /// Sends `method` to `url` and reads the whole response.
    static func request(
        _ method: String, _ url: HTTPURL, headers: [(String, String)] = [], body: [UInt8] = [],
        timeoutSeconds: Int = 10
    ) throws(HTTPClientError) -> HTTPResponse {
        let descriptor = try connect(to: url, timeoutSeconds: timeoutSeconds)
        defer { close(descriptor) }
        var head = "\(method) \(url.target) HTTP/1.1\r\nHost: \(url.host):\(url.port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try sendAll(Array(head.utf8) + body, on: descriptor)
        return try parse(try receiveAll(on: descriptor))
    }

    private static func connect(to url: HTTPURL, timeoutSeconds: Int) throws(HTTPClientError) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HTTPClientError(description: "socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = url.port.bigEndian
        guard inet_pton(AF_INET, url.host, &address.sin_addr) == 1 else {
            close(descriptor)
            throw HTTPClientError(description: "\(url.host) is not an IPv4 address")
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(descriptor)
            throw HTTPClientError(description: "connect to \(url.host):\(url.port) failed: errno \(errno)")
        }
        return descriptor
    }

    private static func sendAll(_ bytes: [UInt8], on descriptor: Int32) throws(HTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset, 0)
            }
            guard sent > 0 else { throw HTTPClientError(description: "send failed: errno \(errno)") }
            offset += sent
        }
    }

    private static func receiveAll(on descriptor: Int32) throws(HTTPClientError) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return received }
            guard count > 0 else {
                if !received.isEmpty { return received }
                throw HTTPClientError(description: "no response: errno \(errno)")
            }
            received += chunk[0..<count]
        }
    }

    /// Splits status line, headers and body (RFC 9112 §2-§7).
    private static func parse(_ bytes: [UInt8]) throws(HTTPClientError) -> HTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw HTTPClientError(description: "response without a header block")
        }
        let lines = String(decoding: bytes[..<headEnd], as: UTF8.self).split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw HTTPClientError(description: "malformed status line")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            // A repeated field is the same as one with the values comma-joined (RFC 9110 §5.3):
            // a WHEP 201 carries one `Link` per ICE server.
            headers[name] = headers[name].map { "\($0), \(value)" } ?? String(value)
        }
        var body = Array(bytes[(headEnd + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap({ Int($0) }), length < body.count {
            body = Array(body[..<length])
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Joins a chunked body (RFC 9112 §7.1); trailers are ignored.
    private static func dechunk(_ bytes: [UInt8]) throws(HTTPClientError) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 13), lineEnd + 1 < bytes.count else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText.trimmingSpaces, radix: 16) else {
                throw HTTPClientError(description: "malformed chunk size")
            }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw HTTPClientError(description: "truncated chunk") }
            output += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return output
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
