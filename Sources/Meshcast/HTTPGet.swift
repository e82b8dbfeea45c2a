import Foundation
import Glibc

/// A blocking HTTP/1.1 GET with headers that reads the whole answer (`Connection: close`), for
/// the operator commands that read a node's API once (`meshcast status`). Like `HTTPProbe`, it
/// keeps an HTTP client out of the command; it speaks plain HTTP to the node's API address.
enum HTTPGet {
    /// An answer: status and body.
    struct Answer {
        let status: Int
        let body: [UInt8]
    }

    /// The largest answer read.
    static let maximumBytes = 8 << 20

    /// GETs `path` from `host:port` (an IPv4/IPv6 literal or a name); `nil` when nothing
    /// complete answered within `timeoutSeconds` per read.
    static func fetch(host: String, port: UInt16, path: String, headers: [String: String], timeoutSeconds: Int = 5)
        -> Answer?
    {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else { return nil }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return nil }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var request = "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            return nil
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while received.count <= maximumBytes {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { return nil }
            received += buffer[0..<count]
        }
        return parse(received)
    }

    /// Status line, headers and body of a whole response; the body is cut to `Content-Length`
    /// when the answer states one.
    static func parse(_ response: [UInt8]) -> Answer? {
        // The blank line: CR LF CR LF.
        guard response.count >= 4,
            let end = (0...(response.count - 4)).first(where: {
                response[$0] == 13 && response[$0 + 1] == 10 && response[$0 + 2] == 13 && response[$0 + 3] == 10
            })
        else { return nil }
        let head = String(decoding: response[0..<end], as: UTF8.self)
        var body = Array(response[(end + 4)...])
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        for line in lines.dropFirst() {
            let field = line.split(separator: ":", maxSplits: 1)
            if field.count == 2, field[0].lowercased() == "content-length",
                let length = Int(field[1].trimmingCharacters(in: .whitespaces)), length <= body.count
            {
                body = Array(body[0..<length])
            }
        }
        return Answer(status: status, body: body)
    }
}
