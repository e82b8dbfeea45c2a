import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP forwarder on loopback that records every byte in both directions: what a passive
/// observer on the path between two nodes would see. Blocking sockets on threads, because it
/// must not share (and so cannot hide anything from) the event loops under test.
final class RecordingTCPProxy: Sendable {
    /// The loopback port clients connect to.
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let recorded = Mutex<(toServer: [UInt8], toClient: [UInt8])>(([], []))

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Listens on `127.0.0.1:<ephemeral>` and forwards each connection to `127.0.0.1:upstreamPort`.
    init(forwardingTo upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw Failure(description: "bind/listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop(listener) }
    }

    /// Every byte sent towards the server, then every byte sent back, so far.
    var captured: (toServer: [UInt8], toClient: [UInt8]) { recorded.withLock { $0 } }

    /// Stops accepting (`shutdown` wakes the blocked `accept` on Linux; `close` alone does not).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard server >= 0, connected == 0 else {
                close(client)
                if server >= 0 { close(server) }
                continue
            }
            let finished = Mutex(0)
            let closeBoth: @Sendable () -> Void = {
                // The second pump to finish closes both sockets.
                if finished.withLock({ count in
                    count += 1
                    return count == 2
                }) {
                    close(client)
                    close(server)
                }
            }
            Thread.detachNewThread { [self] in
                pump(from: client, to: server, towardsServer: true)
                closeBoth()
            }
            Thread.detachNewThread { [self] in
                pump(from: server, to: client, towardsServer: false)
                closeBoth()
            }
        }
    }

    /// Copies until end of stream, recording each chunk before forwarding it, so that whatever
    /// the far end has received is already in the record.
    private func pump(from source: Int32, to destination: Int32, towardsServer: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            let chunk = Array(buffer[0..<count])
            recorded.withLock {
                towardsServer ? $0.toServer.append(contentsOf: chunk) : $0.toClient.append(contentsOf: chunk)
            }
            var sent = 0
            while sent < chunk.count {
                let written = chunk[sent...].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                sent += written
            }
        }
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
