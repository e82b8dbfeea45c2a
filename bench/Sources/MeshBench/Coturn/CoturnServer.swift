import Foundation
import Glibc
import MeshTURN

/// Debian's coturn (`turnserver`, package `coturn`, installed by scripts/interop-setup) as a
/// child process in front of a node, for `meshbench versus coturn`: UDP and TCP on one free
/// port of 127.0.0.1, relayed ports from a free-looking range, TURN REST credentials from a
/// secret of its own (`--use-auth-secret --static-auth-secret`, the scheme the node uses), no
/// TLS/DTLS, and loopback peers allowed (the node is on 127.0.0.1; coturn refuses them by
/// default). `pid` is there for CPU sampling from `/proc`.
final class CoturnServer {
    /// Why coturn could not be used.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let executable = "/usr/bin/turnserver"
    /// The realm its credentials are keyed with (RFC 8489 §9.2.2).
    static let realm = "meshbench"

    let port: UInt16
    let relayPorts: ClosedRange<UInt16>
    let secret: String
    let logPath: String
    private let child: ChildProcess
    var pid: Int32 { child.pid }

    /// Starts coturn with `relayThreads` relay threads (coturn's default is one per core) and
    /// waits until its TCP listener accepts.
    init(relayThreads: Int? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw Failure(description: "\(Self.executable) is missing: run scripts/interop-setup (Debian's coturn)")
        }
        port = try Self.freePort()
        let first = UInt16.random(in: 50_000...58_000)
        relayPorts = first...(first + 1999)
        secret = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 36) }.joined()
        logPath = "/tmp/meshbench-coturn-\(getpid())-\(port).log"
        var arguments = [
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=\(port)",
            "--min-port=\(relayPorts.lowerBound)", "--max-port=\(relayPorts.upperBound)",
            "--use-auth-secret", "--static-auth-secret=\(secret)", "--realm=\(Self.realm)",
            "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers", "--no-multicast-peers",
            "--log-file=\(logPath)", "--simple-log", "--no-stdout-log",
        ]
        if let relayThreads { arguments.append("--relay-threads=\(relayThreads)") }
        child = try ChildProcess(Self.executable, arguments)
        try waitUntilListening()
    }

    /// SIGTERM, then SIGKILL after 5 s.
    func stop() {
        child.stop(graceSeconds: 5)
    }

    /// A TURN server link to coturn over `transport`, with a fresh TURN REST credential
    /// (`expiry:id`, base64 HMAC-SHA1 of it under coturn's secret) valid for `seconds`.
    func link(transport: TURNServerLink.Transport, id: String, seconds: Int64 = 3600) throws -> TURNServerLink {
        let expiry = TURNInstant(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)).adding(seconds: seconds)
        let credential = try TURNRESTCredential(secret: TURNSecret(secret), id: id, expiry: expiry)
        return TURNServerLink(
            host: "127.0.0.1", port: port, transport: transport, secure: false, username: credential.username,
            credential: credential.password)
    }

    /// The installed package's version (`dpkg-query`), or "?" when it cannot be read.
    static func version() -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dpkg-query")
        process.arguments = ["-W", "-f=${Version}", "coturn"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "?" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.isEmpty ? "?" : text
    }

    private func waitUntilListening() throws {
        for _ in 0..<100 {
            guard child.isRunning else {
                throw Failure(
                    description: "turnserver exited (wait status \(child.terminationStatus ?? 0)); see \(logPath)")
            }
            if Self.accepts(port: port) { return }
            usleep(50_000)
        }
        child.stop(graceSeconds: 1)
        throw Failure(description: "turnserver did not listen on 127.0.0.1:\(port) within 5 s; see \(logPath)")
    }

    /// Whether a TCP connect to 127.0.0.1:`port` succeeds.
    private static func accepts(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A port free for both UDP and TCP on 127.0.0.1 now: the kernel picks one for UDP, and
    /// TCP is bound to it to check (both closed again before coturn binds them).
    private static func freePort() throws -> UInt16 {
        for _ in 0..<20 {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer {
                close(udp)
                close(tcp)
            }
            var address = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(udp, $0, length) == 0 && getsockname(udp, $0, &length) == 0 && bind(tcp, $0, length) == 0
                }
            }
            if bound { return UInt16(bigEndian: address.sin_port) }
        }
        throw Failure(description: "no port free for both UDP and TCP on 127.0.0.1")
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}
