import MeshCrypto
import MeshRTC
import MeshRuntime

/// Every viewer of a run, spread round-robin over a few media workers (one ``ViewerFleet``
/// each, so a thousand viewers share two event loops): seats, connections, leaves (churn),
/// and snapshots of everything measured. Signaling (WHEP, Janus's API) is the target's job.
final class ViewerCrowd: @unchecked Sendable {
    /// Where one viewer is: its fleet and its index there.
    private struct Seat {
        let fleet: Int
        let index: Int
    }

    private let fleets: [ViewerFleet]
    private let certificate: DTLSCertificate
    private let bind: String
    private var seats: [Seat] = []

    /// `workers` media workers (at least one), viewers' sockets bound to `bind`.
    init(workers: Int, bind: String = "127.0.0.1") async throws {
        certificate = try DTLSCertificate.generateSelfSigned(commonName: "meshbench")
        self.bind = bind
        var fleets: [ViewerFleet] = []
        for index in 0..<max(1, workers) {
            let fleet = ViewerFleet(worker: try MediaWorker(index: index, cpu: nil), certificate: certificate)
            try await fleet.worker.run { try fleet.start() }
            fleets.append(fleet)
        }
        self.fleets = fleets
    }

    /// The viewers' certificate fingerprint and socket address, for signaling that is not WHEP.
    var fingerprint: CertificateFingerprint { certificate.fingerprint }
    /// The address the viewers' sockets bind (their host candidate).
    var host: String { bind }

    /// Opens a socket for one more viewer; returns its seat and port.
    func addSeat() async throws -> (seat: Int, port: UInt16) {
        let fleetIndex = seats.count % fleets.count
        let fleet = fleets[fleetIndex]
        let host = bind
        let (index, port) = try await fleet.worker.run { try fleet.addViewer(host: host) }
        seats.append(Seat(fleet: fleetIndex, index: index))
        return (seats.count - 1, port)
    }

    /// Starts seat `seat`'s ICE and DTLS towards the server's `answer`.
    func connect(
        _ seat: Int, local: ICECredentials, answer: ViewerAnswer, postedAt: UInt64, sendTimes: FrameSendTimes? = nil
    ) async throws {
        let fleet = fleets[seats[seat].fleet]
        let index = seats[seat].index
        try await fleet.worker.run {
            fleet.setSendTimes(index, sendTimes)
            try fleet.connect(index, local: local, answer: answer, postedAt: postedAt)
        }
    }

    /// Marks seat `seat` as failed before it connected.
    func fail(_ seat: Int, _ reason: String) async throws {
        let fleet = fleets[seats[seat].fleet]
        let index = seats[seat].index
        try await fleet.worker.run { fleet.fail(index, reason) }
    }

    /// Closes seat `seat`'s transport (it left); its figures stay in the snapshots.
    func close(_ seat: Int) async throws {
        let fleet = fleets[seats[seat].fleet]
        let index = seats[seat].index
        try await fleet.worker.run { fleet.close(index) }
    }

    /// Every viewer's figures, and the latency samples since the last call.
    func snapshot() async throws -> (tallies: [ViewerTally], latency: LatencyRecorder) {
        var tallies: [ViewerTally] = []
        var latency = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)
        for fleet in fleets {
            let (part, interval) = try await fleet.worker.run { (fleet.snapshot(), fleet.takeLatencyInterval()) }
            tallies += part
            latency.merge(interval)
        }
        return (tallies, latency)
    }

    /// Latency over the whole run, every worker merged.
    func totalLatency() async throws -> LatencyRecorder {
        var total = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)
        for fleet in fleets {
            total.merge(try await fleet.worker.run { fleet.latency.total })
        }
        return total
    }

    /// Closes every viewer and stops the workers.
    func finish() async {
        for fleet in fleets {
            _ = try? await fleet.worker.run { fleet.closeAll() }
            fleet.worker.stop()
        }
    }
}
