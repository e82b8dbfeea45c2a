import MeshCrypto
import MeshRTC
import MeshRuntime

/// One publishing run over WHIP: POST the offer, connect, send for a while, DELETE, close.
/// Shared by `meshbench publish` and the end-to-end test.
struct WHIPPublishRun: Sendable {
    let endpoint: HTTPURL
    let token: String
    let simulcast: Bool
    /// Local IPv4 address of the publisher's socket.
    let bind: String
    /// Seconds to wait for the first packet after the POST.
    let connectTimeout: Double

    /// Publishes `clips` on `worker` for `duration` seconds once the first packet left
    /// (`started` runs then); returns the final counters, taken after the publisher closed
    /// (it keeps sending until then, DELETE included).
    func publish(
        clips: MediaClipSet, worker: MediaWorker, duration: Double, started: @Sendable () -> Void = {}
    ) async throws -> PublisherTally {
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "meshbench")
        let extensions = OutgoingExtensionIDs(
            mid: PublisherOffer.midID, rid: simulcast ? PublisherOffer.ridID : nil,
            captureTime: PublisherOffer.captureTimeID)
        let host = bind
        let simulcast = simulcast
        let publisher = try await worker.run {
            let source = PacedMediaSource.make(clips: clips, simulcast: simulcast, extensions: extensions)
            return try BenchPublisher(worker: worker, address: try SocketAddress(ipv4: host, port: 0), source: source)
        }
        let port = try await worker.run { publisher.socket.localAddress.port }
        let local = ICECredentials.generate()
        let offer = PublisherOffer(
            credentials: local, fingerprint: certificate.fingerprint, host: host, port: port, simulcast: simulcast)
        let postedAt = BenchClock.now()
        let created: OfferRequest.Created
        do {
            created = try OfferRequest.post(offer: offer.sdp, to: endpoint, token: token)
            let answer = try ViewerAnswer(sdp: created.answer)
            try await worker.run {
                try publisher.connect(local: local, answer: answer, certificate: certificate, postedAt: postedAt)
            }
        } catch {
            try await worker.run { publisher.close() }
            throw error
        }
        let deadline = BenchClock.now() &+ UInt64(connectTimeout * 1e9)
        while BenchClock.now() < deadline {
            let tally = try await worker.run { publisher.snapshot() }
            if tally.firstPacketAt != nil || tally.failure != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        started()
        try await Task.sleep(for: .seconds(duration))
        // DELETE before close_notify (RFC 9725 §4.2), as the viewers do.
        if let session = created.session {
            _ = try? HTTPClient.request("DELETE", session, headers: [("Authorization", "Bearer \(created.token)")])
        }
        return try await worker.run {
            publisher.close()
            return publisher.snapshot()
        }
    }
}
