import Foundation
import Glibc

/// A Janus instance meshbench starts for itself: writes a ``JanusConfig`` into a fresh temp
/// folder, runs `janus` as a child process, waits until `GET /janus/info` answers, and stops
/// it (SIGTERM, then SIGKILL after 5 s). `pid` is there for CPU/RSS sampling from /proc.
final class JanusServer {
    /// Why Janus could not be started.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The executable Debian's `janus` package installs.
    static let executable = "/usr/bin/janus"
    /// Seconds to wait for the HTTP transport to answer.
    static let startTimeoutSeconds = 15
    /// Seconds between SIGTERM and SIGKILL.
    static let stopGraceSeconds = 5

    let config: JanusConfig
    /// Janus's own log file (`-L`).
    let logPath: String
    /// Base URL of the Janus API: `http://127.0.0.1:<port>/janus`.
    let apiURL: HTTPURL
    private var process: ChildProcess?

    /// The child's process id.
    private(set) var pid: Int32 = 0

    /// The command line Janus is run with: config folder and file, no stdout logging, a log
    /// file, no colours. Plugin and transport folders come from the config file.
    var arguments: [String] {
        ["-F", config.folder, "-C", config.folder + "/janus.jcfg", "-N", "-L", logPath, "-o"]
    }

    /// Writes the config set for `mountpoints` and starts Janus; returns once its API answers.
    init(
        mountpoints: [JanusMountpoint], httpPort: UInt16, rtpPortRange: ClosedRange<UInt16>, debugLevel: Int = 4
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw StartFailure(description: "\(Self.executable) missing: run scripts/janus-setup")
        }
        let folder = "/tmp/meshbench-janus-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        guard let address = Self.hostInterfaceAddress() else {
            throw StartFailure(description: "no non-loopback IPv4 interface for Janus's host candidate")
        }
        config = JanusConfig(
            folder: folder, httpPort: httpPort, candidateAddress: address, rtpPortRange: rtpPortRange,
            mountpoints: mountpoints, installed: Self.installedModules(), debugLevel: debugLevel)
        logPath = folder + "/janus.log"
        guard let url = HTTPURL("http://127.0.0.1:\(httpPort)/janus") else {
            throw StartFailure(description: "bad HTTP port \(httpPort)")
        }
        apiURL = url
        for file in config.files {
            try file.text.write(toFile: folder + "/" + file.name, atomically: true, encoding: .utf8)
        }
        let child = try ChildProcess(Self.executable, arguments, output: folder + "/janus.stdout")
        process = child
        pid = child.pid
        try waitUntilAnswering(child)
    }

    /// Stops Janus: SIGTERM, then SIGKILL if it is still running after 5 s.
    func stop() {
        process?.stop(graceSeconds: Self.stopGraceSeconds)
    }

    deinit { stop() }

    private func waitUntilAnswering(_ process: ChildProcess) throws {
        guard let info = apiURL.resolving(apiURL.target + "/info") else { return }
        for _ in 0..<(Self.startTimeoutSeconds * 10) {
            guard process.isRunning else {
                throw StartFailure(
                    description: "janus exited (wait status \(process.terminationStatus ?? 0)); see \(logPath)")
            }
            if let response = try? HTTPClient.request("GET", info, timeoutSeconds: 1), response.status == 200 {
                return
            }
            usleep(100_000)
        }
        stop()
        throw StartFailure(description: "janus did not answer \(info) within \(Self.startTimeoutSeconds) s")
    }

    /// The installed `*.so` modules per folder (plugins, transports, loggers, events).
    private static func installedModules() -> [String: [String]] {
        var modules: [String: [String]] = [:]
        for kind in ["plugins", "transports", "loggers", "events"] {
            let names =
                (try? FileManager.default.contentsOfDirectory(atPath: JanusConfig.libraryFolder + "/" + kind)) ?? []
            modules[kind] = names.filter { $0.hasSuffix(".so") }
        }
        return modules
    }

    /// The first up, non-loopback IPv4 interface address: Janus gathers no loopback candidates.
    static func hostInterfaceAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            cursor = entry.pointee.ifa_next
            let flags = Int32(entry.pointee.ifa_flags)
            guard let socketAddress = entry.pointee.ifa_addr, socketAddress.pointee.sa_family == sa_family_t(AF_INET),
                flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var inet = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &inet, &text, socklen_t(INET_ADDRSTRLEN)) != nil else { continue }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }
}
