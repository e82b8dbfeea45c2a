import Histogram
import MeshCrypto
import MeshRTC
import MeshRuntime

/// Every viewer of a run, spread round-robin over a few media workers (one ``ViewerFleet``
/// each, so a thousand viewers share two event loops): joins over WHEP (following placement's
/// `307`), leaves (churn), and snapshots of everything measured.
final class ViewerCrowd: @unchecked Sendable {
    /// Where one viewer is.
    private struct Seat {
        let fleet: Int
        let index: Int
        var session: HTTPURL?
        /// The token that worked (a redirect may carry another): the DELETE's.
        var token: String?
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

    /// Viewers that joined so far (left or not).
    var count: Int { seats.count }

    /// One viewer POSTs its offer to `endpoint` (a WHEP URL, maybe with `?region=`) and starts
    /// ICE/DTLS on the answer. A refused POST becomes that viewer's failure, never a throw.
    func join(endpoint: HTTPURL, token: String) async throws {
        let fleetIndex = seats.count % fleets.count
        let fleet = fleets[fleetIndex]
        let host = bind
        let (index, port) = try await fleet.worker.run { try fleet.addViewer(host: host) }
        var seat = Seat(fleet: fleetIndex, index: index, session: nil, token: nil)
        let local = ICECredentials.generate()
        let offer = ViewerOffer(credentials: local, fingerprint: certificate.fingerprint, host: host, port: port)
        let postedAt = BenchClock.now()
        do {
            let created = try OfferRequest.post(offer: offer.sdp, to: endpoint, token: token)
            seat.session = created.session
            seat.token = created.token
            let answer = try ViewerAnswer(sdp: created.answer)
            try await fleet.worker.run { try fleet.connect(index, local: local, answer: answer, postedAt: postedAt) }
        } catch {
            let reason = "\(error)"
            try await fleet.worker.run { fleet.fail(index, reason) }
        }
        seats.append(seat)
    }

    /// The oldest viewer still in leaves: DELETE (RFC 9725 §4.2), then closes its transport.
    /// Returns false when nobody is left.
    func leaveOldest(token: String, skipping left: inout Int) async throws -> Bool {
        guard left < seats.count else { return false }
        let seat = seats[left]
        seats[left].session = nil
        left += 1
        if let session = seat.session {
            let bearer = seat.token ?? token
            _ = try? HTTPClient.request("DELETE", session, headers: [("Authorization", "Bearer \(bearer)")])
        }
        let fleet = fleets[seat.fleet]
        try await fleet.worker.run { fleet.close(seat.index) }
        return true
    }

    /// Every viewer's figures, and the latency samples since the last call.
    func snapshot() async throws -> (tallies: [ViewerTally], latency: Histogram<UInt64>) {
        var tallies: [ViewerTally] = []
        var latency = FleetLatency.makeHistogram()
        for fleet in fleets {
            let (part, interval) = try await fleet.worker.run { (fleet.snapshot(), fleet.takeLatencyInterval()) }
            tallies += part
            latency.add(interval)
        }
        return (tallies, latency)
    }

    /// Latency over the whole run, every worker merged.
    func totalLatency() async throws -> Histogram<UInt64> {
        var total = FleetLatency.makeHistogram()
        for fleet in fleets {
            total.add(try await fleet.worker.run { fleet.latency.total })
        }
        return total
    }

    /// DELETEs every session still open, closes every viewer and stops the workers.
    func finish(token: String) async {
        for seat in seats {
            guard let session = seat.session else { continue }
            let bearer = seat.token ?? token
            _ = try? HTTPClient.request("DELETE", session, headers: [("Authorization", "Bearer \(bearer)")])
        }
        for fleet in fleets {
            _ = try? await fleet.worker.run { fleet.closeAll() }
            fleet.worker.stop()
        }
    }
}
