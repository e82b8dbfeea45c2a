import MeshCrypto
import MeshRTC
import MeshRuntime

/// The publishers of a run: WHIP publishers on one media worker, each from the same clips.
final class PublisherGroup: @unchecked Sendable {
    private struct Entry {
        let publisher: BenchPublisher
        let stream: String
        var session: HTTPURL?
        var token: String
    }

    let worker: MediaWorker
    private let certificate: DTLSCertificate
    private var entries: [Entry] = []

    init(worker: MediaWorker) throws {
        self.worker = worker
        certificate = try DTLSCertificate.generateSelfSigned(commonName: "meshbench-publisher")
    }

    /// Starts a publisher of `stream` at `endpoint` (a WHIP URL; placement may redirect).
    /// A refused POST is that publisher's failure, never a throw.
    func publish(
        stream: String, endpoint: HTTPURL, token: String, clips: MediaClipSet, simulcast: Bool, layer: Int
    ) async throws {
        let extensions = OutgoingExtensionIDs(
            mid: PublisherOffer.midID, rid: simulcast ? PublisherOffer.ridID : nil,
            captureTime: PublisherOffer.captureTimeID)
        let worker = worker
        let publisher = try await worker.run {
            let source = PacedMediaSource.make(clips: clips, simulcast: simulcast, layer: layer, extensions: extensions)
            return try BenchPublisher(
                worker: worker, address: try SocketAddress(ipv4: "127.0.0.1", port: 0), source: source)
        }
        let port = try await worker.run { publisher.socket.localAddress.port }
        let local = ICECredentials.generate()
        let offer = PublisherOffer(
            credentials: local, fingerprint: certificate.fingerprint, host: "127.0.0.1", port: port,
            simulcast: simulcast)
        let postedAt = BenchClock.now()
        var entry = Entry(publisher: publisher, stream: stream, session: nil, token: token)
        do {
            let created = try OfferRequest.post(offer: offer.sdp, to: endpoint, token: token)
            entry.session = created.session
            entry.token = created.token
            let answer = try ViewerAnswer(sdp: created.answer)
            let certificate = certificate
            try await worker.run {
                try publisher.connect(local: local, answer: answer, certificate: certificate, postedAt: postedAt)
            }
        } catch {
            let reason = "\(error)"
            try await worker.run { publisher.fail(reason) }
        }
        entries.append(entry)
    }

    /// Waits until every publisher sends media or failed, at most `timeout` seconds.
    func waitUntilSending(timeout: Double) async throws {
        let deadline = BenchClock.now() &+ UInt64(timeout * 1e9)
        while BenchClock.now() < deadline {
            let tallies = try await snapshot()
            if tallies.allSatisfy({ $0.firstPacketAt != nil || $0.failure != nil }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Every publisher's counters.
    func snapshot() async throws -> [PublisherTally] {
        let publishers = entries.map(\.publisher)
        return try await worker.run { publishers.map { $0.snapshot() } }
    }

    /// Delays every publisher's media by `milliseconds` from now on (0 lifts it).
    func setDelay(milliseconds: Int) async {
        let publishers = entries.map(\.publisher)
        let delay = UInt64(max(0, milliseconds)) * 1_000_000
        _ = try? await worker.run { for publisher in publishers { publisher.delay = delay } }
    }

    /// DELETEs every session and closes every publisher.
    func finish() async {
        for entry in entries {
            guard let session = entry.session else { continue }
            _ = try? HTTPClient.request("DELETE", session, headers: [("Authorization", "Bearer \(entry.token)")])
        }
        let publishers = entries.map(\.publisher)
        _ = try? await worker.run { for publisher in publishers { publisher.close() } }
    }
}
