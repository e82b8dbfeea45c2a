import MeshCrypto
import MeshRTC
import MeshRuntime

/// Every viewer of a run, spread round-robin over a few media workers (one ``ViewerFleet``
/// each, so a thousand viewers share two event loops): seats, connections, leaves (churn),
/// and snapshots of everything measured. Signaling (WHEP, Janus's API) is the target's job.
///
/// A viewer that leaves is folded into ``finished`` and forgotten (its seat, its viewer and
/// socket on the fleet), so memory follows the viewers present, not all that ever joined.
final class ViewerCrowd: @unchecked Sendable {
    /// Where one viewer is: its fleet and its index there.
    private struct Seat {
        let fleet: Int
        let index: Int
    }

    private let fleets: [ViewerFleet]
    private let certificate: DTLSCertificate
    private let bind: String
    /// The seats of viewers still here, by seat number (numbers are never reused).
    private var seats: [Int: Seat] = [:]
    private var nextSeat = 0
    /// The figures of every viewer that left, folded.
    private(set) var finished = ViewerTotals()
    /// Seconds of arrival count from here (monotonic ns).
    private var origin: UInt64 = 0

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
        let fleetIndex = nextSeat % fleets.count
        let fleet = fleets[fleetIndex]
        let host = bind
        let (index, port) = try await fleet.worker.run { try fleet.addViewer(host: host) }
        let seat = nextSeat
        seats[seat] = Seat(fleet: fleetIndex, index: index)
        nextSeat += 1
        return (seat, port)
    }

    /// Starts seat `seat`'s ICE and DTLS towards the server's `answer`, through `turn` when given.
    func connect(
        _ seat: Int, local: ICECredentials, answer: ViewerAnswer, postedAt: UInt64, sendTimes: FrameSendTimes? = nil,
        turn: TURNServerLink? = nil
    ) async throws {
        guard let place = seats[seat] else { return }
        let fleet = fleets[place.fleet]
        let index = place.index
        try await fleet.worker.run {
            fleet.setSendTimes(index, sendTimes)
            try fleet.connect(index, local: local, answer: answer, postedAt: postedAt, turn: turn)
        }
    }

    /// Marks seat `seat` as failed before it connected.
    func fail(_ seat: Int, _ reason: String) async throws {
        guard let place = seats[seat] else { return }
        let fleet = fleets[place.fleet]
        let index = place.index
        try await fleet.worker.run { fleet.fail(index, reason) }
    }

    /// Closes seat `seat`'s transport (it left) and folds its figures into ``finished``.
    func close(_ seat: Int) async throws {
        guard let place = seats.removeValue(forKey: seat) else { return }
        let fleet = fleets[place.fleet]
        let index = place.index
        let now = BenchClock.now()
        if let tally = try await fleet.worker.run({ fleet.close(index) }) {
            finished.add(tally, endedAt: tally.leftAt ?? now)
        }
    }

    /// Counts packets by arrival second from `origin` (monotonic ns: the run's start) on.
    func startArrivalClock(at origin: UInt64) async throws {
        self.origin = origin
        for fleet in fleets { try await fleet.worker.run { fleet.startArrivalClock(at: origin) } }
    }

    /// The viewers still here, the folded figures of those that left, the latency samples
    /// since the last call, and the packets of every arrival second completed since then.
    func snapshot() async throws -> CrowdSnapshot {
        var tallies: [ViewerTally] = []
        var latency = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)
        // One end for every fleet, so each drains the same seconds and their sums are whole.
        let now = BenchClock.now()
        let end = now > origin ? Int((now - origin) / 1_000_000_000) : 0
        var steadyLatency = LatencyRecorder(highestMicroseconds: FleetLatency.highestMicroseconds)
        var seconds: [Int: ArrivalSeconds.Second] = [:]
        var steadySeconds: [Int: ArrivalSeconds.Second] = [:]
        for fleet in fleets {
            let (part, interval, drained, steady, steadyInterval) = try await fleet.worker.run {
                (
                    fleet.snapshot(), fleet.takeLatencyInterval(), fleet.arrivals.drain(before: end),
                    fleet.steadyArrivals.drain(before: end), fleet.steadyLatency.takeInterval()
                )
            }
            tallies += part
            latency.merge(interval)
            steadyLatency.merge(steadyInterval)
            Self.add(drained, to: &seconds)
            Self.add(steady, to: &steadySeconds)
        }
        return CrowdSnapshot(
            live: tallies, finished: finished, latencyInterval: latency,
            seconds: seconds.values.sorted { $0.index < $1.index },
            steadySeconds: steadySeconds.values.sorted { $0.index < $1.index }, steadyLatencyInterval: steadyLatency)
    }

    /// Sums one fleet's drained seconds into `seconds`.
    private static func add(_ drained: [ArrivalSeconds.Second], to seconds: inout [Int: ArrivalSeconds.Second]) {
        for second in drained {
            var sum = seconds[second.index] ?? ArrivalSeconds.Second(index: second.index, packets: 0, late: false)
            sum.packets += second.packets
            sum.late = sum.late || second.late
            seconds[second.index] = sum
        }
    }

    /// Marks every viewer here now as steady (``ViewerFleet/markSteady()``).
    func markSteady() async throws {
        for fleet in fleets { try await fleet.worker.run { fleet.markSteady() } }
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
