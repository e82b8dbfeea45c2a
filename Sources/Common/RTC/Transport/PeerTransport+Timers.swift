import MeshCrypto
import MeshRuntime

extension PeerTransport {
    /// Runs the session's timers: the client's checks, DTLS retransmissions, and consent
    /// (RFC 7675 §5.1). Call it when the returned deadline passes, and once right after
    /// creating the transport (the first `now` seen counts as the creation time).
    public func poll(now: UInt64, send: Send) -> PeerTimerOutcome {
        if createdAt == nil { createdAt = now }
        if isClosed { return .closed }
        if dtls.endpoint.state == .failed || (dtls.endpoint.state == .closed && srtp != nil) { return .failed }
        if let alert = unconfirmedAlert {
            if authenticatedInbound != alert.authenticated {
                unconfirmedAlert = nil
            } else if now &- alert.at >= Self.alertConfirmation {
                return .failed
            }
        }
        if consentExpired(now: now) { return .consentExpired }

        var deadline = consentDeadline(now: now)
        if case .controlling(let client, let server) = ice {
            if now >= nextCheck {
                PeerICE.sendCheck(client, to: server, send: send)
                nextCheck = now &+ (client.isConnected ? Self.jitteredConsentInterval() : Self.checkInterval)
            }
            deadline = min(deadline, nextCheck)
        }
        if let alert = unconfirmedAlert { deadline = min(deadline, alert.at &+ Self.alertConfirmation) }
        switch dtls.pollRetransmission(now: now, destination: remoteAddress, send: send) {
        case .idle: break
        case .fired: if dtls.endpoint.state == .failed { return .failed }
        case .pending(let until): deadline = min(deadline, until)
        }
        return .wait(until: deadline)
    }

    /// Ends the session: sends DTLS close_notify (RFC 5246 §7.2.1) when the handshake had
    /// started, and drops the SRTP keys.
    public func close(send: Send) {
        guard !isClosed else { return }
        isClosed = true
        dtls.close(destination: remoteAddress, send: send)
        srtp = nil
    }

    /// Consent lapsed: 30 s since the last valid check, or 30 s since creation without one.
    private func consentExpired(now: UInt64) -> Bool {
        let since = lastConsent ?? createdAt ?? now
        return now >= since && now - since >= Self.consentTimeout
    }

    private func consentDeadline(now: UInt64) -> UInt64 {
        (lastConsent ?? createdAt ?? now) &+ Self.consentTimeout
    }

    private var lastConsent: UInt64? { ice.lastConsent }

    /// RFC 7675 §5.1: consent checks every 5 s, randomized to 0.8 to 1.2 times that.
    private static func jitteredConsentInterval() -> UInt64 {
        UInt64.random(in: consentInterval * 4 / 5...consentInterval * 6 / 5)
    }
}
