import ArgumentParser
import Foundation
import MeshCrypto
import MeshRTC
import MeshRuntime

/// `meshbench viewers`: N real WHEP viewers on the project's own stack, measured over a window.
struct ViewersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "viewers",
        abstract: "Connect N WHEP viewers to a node, count what they receive, and report the node's cost."
    )

    @Option(help: "WHEP endpoint, http://HOST:PORT/whep/STREAM.")
    var whep: String
    @Option(help: "Bearer token with the view scope for the stream.")
    var token: String
    @Option(help: "Number of viewers.")
    var count: Int = 1
    @Option(help: "Measurement window in seconds, after every viewer joined (or timed out).")
    var duration: Double = 10
    @Option(name: .customLong("node-pid"), help: "The node's process id: its CPU time is measured over the window.")
    var nodePID: Int32?
    @Option(help: "The node's metrics URL (http://HOST:PORT/metrics): forwarded packets over the window.")
    var metrics: String?
    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?
    @Option(help: "Local IPv4 address for the viewers' sockets (their host candidate).")
    var bind: String = "127.0.0.1"
    @Option(name: .customLong("join-timeout"), help: "Seconds to wait for every viewer's first RTP packet.")
    var joinTimeout: Double = 10

    func validate() throws {
        guard HTTPURL(whep) != nil else { throw ValidationError("--whep must be an http://HOST:PORT/... URL") }
        if let metrics, HTTPURL(metrics) == nil { throw ValidationError("--metrics must be an http:// URL") }
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
    }

    func run() async throws {
        guard let endpoint = HTTPURL(whep) else { throw ValidationError("bad --whep") }
        let metricsURL = metrics.flatMap(HTTPURL.init)
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "meshbench")
        let worker = try MediaWorker(index: 0, cpu: nil)
        let fleet = ViewerFleet(worker: worker, certificate: certificate)
        try await worker.run { try fleet.start() }

        let locations = try await join(fleet, endpoint: endpoint, certificate: certificate)
        try await waitForFirstMedia(fleet)

        let cpuStart = nodePID.flatMap { ProcessUsage.cpuSeconds(of: $0) }.map { $0 * 1e6 }
        let forwardedStart = metricsURL.flatMap { NodeMetrics.total(NodeMetrics.forwardedPackets, at: $0) }
        let startTime = BenchClock.now()
        let start = try await worker.run { fleet.snapshot() }
        try await Task.sleep(for: .seconds(duration))
        let end = try await worker.run { fleet.snapshot() }
        let endTime = BenchClock.now()
        let cpuEnd = nodePID.flatMap { ProcessUsage.cpuSeconds(of: $0) }.map { $0 * 1e6 }
        let forwardedEnd = metricsURL.flatMap { NodeMetrics.total(NodeMetrics.forwardedPackets, at: $0) }

        // DELETE first (RFC 9725 §4.2): a DTLS close_notify first would end the sessions on
        // its own and leave the DELETEs nothing to find.
        var deleted = 0
        for location in locations {
            let response = try? HTTPClient.request("DELETE", location, headers: [("Authorization", "Bearer \(token)")])
            if let status = response?.status, (200..<300).contains(status) { deleted += 1 }
        }
        try await worker.run { fleet.closeAll() }
        worker.stop()

        let window = Double(endTime - startTime) / 1e9
        let cpu = both(cpuStart, cpuEnd).map { pair in pair.1 - pair.0 }
        let forwarded = both(forwardedStart, forwardedEnd).map { pair in pair.1 - pair.0 }
        let report = makeReport(
            start: start, end: end, window: window, deleted: deleted, cpuMicroseconds: cpu, forwarded: forwarded)
        print(report.text)
        if let json {
            try report.json().write(to: URL(fileURLWithPath: json))
        }
    }

    /// POSTs one offer per viewer, in turn, and starts each viewer on its answer. Returns the
    /// session URLs to DELETE at the end.
    private func join(_ fleet: ViewerFleet, endpoint: HTTPURL, certificate: DTLSCertificate) async throws -> [HTTPURL] {
        var locations: [HTTPURL] = []
        let host = bind
        for _ in 0..<count {
            let (index, port) = try await fleet.worker.run { try fleet.addViewer(host: host) }
            let local = ICECredentials.generate()
            let offer = ViewerOffer(credentials: local, fingerprint: certificate.fingerprint, host: host, port: port)
            let postedAt = BenchClock.now()
            do {
                let response = try HTTPClient.request(
                    "POST", endpoint,
                    headers: [("Content-Type", "application/sdp"), ("Authorization", "Bearer \(token)")],
                    body: Array(offer.sdp.utf8))
                guard response.status == 201 else {
                    throw HTTPClientError(description: "POST answered \(response.status): \(response.text.prefix(200))")
                }
                if let location = response.headers["location"].flatMap(endpoint.resolving) {
                    locations.append(location)
                }
                let answer = try ViewerAnswer(sdp: response.text)
                try await fleet.worker.run {
                    try fleet.connect(index, local: local, answer: answer, postedAt: postedAt)
                }
            } catch {
                let reason = "viewer \(index): \(error)"
                try await fleet.worker.run { fleet.fail(index, reason) }
            }
        }
        return locations
    }

    /// Waits until every viewer has its first RTP packet or failed, or the join timeout passes.
    private func waitForFirstMedia(_ fleet: ViewerFleet) async throws {
        let deadline = BenchClock.now() &+ UInt64(joinTimeout * 1e9)
        while BenchClock.now() < deadline {
            let tallies = try await fleet.worker.run { fleet.snapshot() }
            if tallies.allSatisfy({ $0.firstRTPAt != nil || $0.failure != nil }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func makeReport(
        start: [ViewerTally], end: [ViewerTally], window: Double, deleted: Int, cpuMicroseconds: Double?,
        forwarded: Double?
    ) -> ViewersReport {
        func sum(_ tallies: [ViewerTally], _ field: (ViewerTally) -> Int) -> Int {
            tallies.reduce(0) { $0 + field($1) }
        }
        let packets = sum(end, \.packets) - sum(start, \.packets)
        let bytes = sum(end) { $0.audio.bytes + $0.video.bytes } - sum(start) { $0.audio.bytes + $0.video.bytes }
        let joins: [Double] = end.compactMap(\.joinTime).map { Double($0) / 1e6 }
        let perPacket: Double? = both(cpuMicroseconds, forwarded).flatMap { pair in
            pair.1 > 0 ? pair.0 / pair.1 : nil
        }
        var failures = end.compactMap(\.failure)
        failures += end.filter { $0.failure == nil && $0.firstRTPAt == nil }.map { "viewer \($0.index): no RTP" }
        return ViewersReport(
            viewersRequested: count,
            viewersConnected: end.filter { $0.firstRTPAt != nil }.count,
            failures: failures,
            joinMilliseconds: .init(joins),
            windowSeconds: window,
            packetsReceived: packets,
            packetsPerSecond: Double(packets) / window,
            audioPacketsReceived: sum(end, \.audio.packets) - sum(start, \.audio.packets),
            videoPacketsReceived: sum(end, \.video.packets) - sum(start, \.video.packets),
            megabitsPerSecond: Double(bytes) * 8 / window / 1e6,
            packetsDropped: sum(end, \.dropped),
            sessionsDeleted: deleted,
            nodeCPUSeconds: cpuMicroseconds.map { $0 / 1e6 },
            nodeCPUPercent: cpuMicroseconds.map { $0 / 1e6 / window * 100 },
            packetsForwarded: forwarded,
            cpuMicrosecondsPerForwardedPacket: perPacket)
    }
}

/// Both values or none.
private func both<First, Second>(_ first: First?, _ second: Second?) -> (First, Second)? {
    guard let first, let second else { return nil }
    return (first, second)
}
