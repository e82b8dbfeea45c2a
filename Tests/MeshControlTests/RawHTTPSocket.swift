import Dispatch
import Foundation
import Glibc

/// A blocking TCP client on 127.0.0.1 that sends exactly the bytes a test writes and sees when
/// the server closes: what a slow-header client, an idle keep-alive client or a malformed body
/// looks like on the wire. Every wait is bounded.
final class RawHTTPSocket {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let descriptor: Int32
    /// Everything received so far.
    private(set) var received: [UInt8] = []
    /// Whether the server closed (end-of-file or reset).
    private(set) var isClosed = false
    private var isShut = false

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close() }

    /// Closes this end, as a client that is done with the connection does.
    func close() {
        guard !isShut else { return }
        isShut = true
        Glibc.close(descriptor)
    }

    var text: String { String(decoding: received, as: UTF8.self) }

    /// Sends `text`; false when the server has closed (no SIGPIPE: `MSG_NOSIGNAL`).
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Glibc.send(
                    descriptor, buffer.baseAddress.map { $0 + offset }, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Reads whatever arrives within `seconds` (0: only what is already here), stopping early
    /// at end-of-file or once `until` says the bytes so far are enough.
    func read(for seconds: Double, until enough: ([UInt8]) -> Bool = { _ in false }) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !isClosed && !enough(received) {
            let now = DispatchTime.now().uptimeNanoseconds
            let waitMilliseconds = now >= deadline ? 0 : Int32((deadline - now) / 1_000_000)
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, waitMilliseconds) > 0 else { return }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk[0..<count]
            } else {
                isClosed = true
            }
        }
    }

    /// Reads until one whole response with a `Content-Length` body is here (or `seconds` pass),
    /// returns its status line and drops it from the buffer.
    func readResponse(within seconds: Double) -> String? {
        read(for: seconds) { Self.responseLength(in: $0) != nil }
        guard let length = Self.responseLength(in: received) else { return nil }
        let response = String(decoding: received[..<length], as: UTF8.self)
        received.removeFirst(length)
        return response.split(separator: "\r\n", maxSplits: 1).first.map(String.init)
    }

    /// The byte length of the first complete response in `bytes`, if it is complete.
    private static func responseLength(in bytes: [UInt8]) -> Int? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else { return nil }
        let head = String(decoding: bytes[..<headEnd], as: UTF8.self).lowercased()
        let lengthLine = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.dropFirst("content-length:".count).filter { $0 != " " }) } ?? 0
        let total = headEnd + 4 + length
        return bytes.count >= total ? total : nil
    }
}

/// Runs blocking socket work on a thread of its own, off Swift's cooperative pool, which the
/// server under test needs: on a 2-core machine that pool has two threads.
func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
