import MeshCrypto
import MeshWire

/// Writing responses: success and error answers to a request, signed when the request
/// authenticated (RFC 8489 §9.2.4), with FINGERPRINT when the request carried one (RFC 8489 §7.3).
extension TURNServer {
    /// The reason phrases of RFC 8489 §14.8 and RFC 8656 §19.
    static func reason(_ code: Int) -> String {
        switch code {
        case 300: "Try Alternate"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 420: "Unknown Attribute"
        case 437: "Allocation Mismatch"
        case 438: "Stale Nonce"
        case 440: "Address Family not Supported"
        case 441: "Wrong Credentials"
        case 442: "Unsupported Transport Protocol"
        case 443: "Peer Address Family Mismatch"
        case 486: "Allocation Quota Reached"
        case 508: "Insufficient Capacity"
        default: "Server Error"
        }
    }

    /// Writes the answer to `request`: an error response when `error` is set, else a success
    /// response; `body` adds the method's attributes. Signed with `key` when given.
    func reply(
        to request: STUNMessage, key: STUNIntegrityKey?, into output: UnsafeMutableRawBufferPointer,
        error: Int? = nil, reasonPhrase: Bool = true, fingerprint: Bool? = nil,
        body: (inout STUNMessageBuilder) throws -> Void = { _ in }
    ) -> TURNServerOutput {
        let type = STUNMessageType(
            method: request.type.method, messageClass: error == nil ? .successResponse : .errorResponse)
        do {
            var builder = try STUNMessageBuilder(into: output, type: type, transactionID: request.transactionID)
            if let error { try builder.appendErrorCode(error, reason: reasonPhrase ? Self.reason(error) : "") }
            try body(&builder)
            if error == nil, let software = configuration.software { try builder.appendText(.software, software) }
            if let key { try builder.appendIntegrity(.hmacSHA1, key: key) }
            if fingerprint ?? (request.fingerprintOffset != nil) { try builder.appendFingerprint() }
            return .reply(count: builder.count)
        } catch {
            return .drop(.outputTooSmall)
        }
    }

    /// A 401 or 438 with REALM and a fresh NONCE (RFC 8489 §9.2.4), unsigned: the client has
    /// not proved a key. Rate-limited per source IP. When the full answer is larger than the
    /// request it is sent in its smallest form (no reason phrase, no FINGERPRINT), so an
    /// unauthenticated sender gains at most that small fixed size per request; with
    /// ``TURNServerConfiguration/dropChallengesLargerThanRequest`` it is then not sent at all.
    mutating func challenge(
        _ code: Int, to request: STUNMessage, client: STUNTransportAddress, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        guard ledger.allowChallenge(to: client.ip, now: now) else { return .drop(.challengeRateLimited) }
        let nonce = nonces.issue(for: client, now: now)
        let realm = configuration.realm
        var answer = TURNServerOutput.drop(.outputTooSmall)
        for full in [true, false] {
            answer = reply(
                to: request, key: nil, into: output, error: code, reasonPhrase: full,
                fingerprint: full && request.fingerprintOffset != nil
            ) { builder in
                try builder.appendText(.realm, realm)
                try nonce.withUnsafeBytes { try builder.appendText(.nonce, $0) }
            }
            guard case let .reply(count) = answer else { return answer }
            if count <= request.bytes.count { return answer }
        }
        return configuration.dropChallengesLargerThanRequest ? .drop(.challengeLargerThanRequest) : answer
    }
}

/// Authentication (RFC 8489 §9.2.4, long-term credentials with TURN REST usernames).
extension TURNServer {
    /// The outcome of checking a request's credentials.
    enum Authentication {
        /// The request is signed with `key`, which `username` (borrowed from it) derives.
        case authenticated(key: STUNIntegrityKey, username: UnsafeRawBufferPointer)
        /// The request was answered (401, 438, 400) or dropped.
        case answered(TURNServerOutput)
    }

    /// Checks MESSAGE-INTEGRITY, USERNAME, REALM and NONCE in the order RFC 8489 §9.2.4 gives.
    mutating func authenticate(
        _ request: STUNMessage, on fiveTuple: TURNFiveTuple, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer
    ) -> Authentication {
        let client = fiveTuple.client
        // No MESSAGE-INTEGRITY: challenge (401 with REALM and NONCE).
        guard request.messageIntegrityOffset != nil else {
            return .answered(challenge(401, to: request, client: client, now: now, into: output))
        }
        // MESSAGE-INTEGRITY without USERNAME, REALM or NONCE: 400, unsigned.
        guard let username = try? request.text(.username), let realm = try? request.text(.realm),
            let nonce = try? request.text(.nonce)
        else {
            guard ledger.allowChallenge(to: client.ip, now: now) else { return .answered(.drop(.challengeRateLimited)) }
            return .answered(reply(to: request, key: nil, into: output, error: 400))
        }
        // A nonce this server did not issue to this address, or an expired one: 438.
        guard nonces.check(nonce, client: client, now: now) == .fresh else {
            return .answered(challenge(438, to: request, client: client, now: now, into: output))
        }
        // Another realm, an unknown or expired username, a MAC no secret's key produces, or a
        // credential whose session has ended: 401.
        guard let key = key(signing: request, username: username, realm: realm, now: now) else {
            return .answered(challenge(401, to: request, client: client, now: now, into: output))
        }
        return .authenticated(key: key, username: username)
    }

    /// The long-term key `request` is signed with, when its realm is this server's, its username
    /// a live credential of an accepted secret whose session has not ended, and its MAC right.
    func key(
        signing request: STUNMessage, username: UnsafeRawBufferPointer, realm: UnsafeRawBufferPointer,
        now: TURNInstant
    ) -> STUNIntegrityKey? {
        guard realm.elementsEqual(configuration.realm.utf8),
            !ledger.hasEnded(Self.credentialID(of: username), now: now),
            let keys = try? credentials.keys(username: username, now: now)
        else { return nil }
        return keys.first(where: { (try? request.verifyIntegrity(.hmacSHA1, key: $0)) == true })
    }

    /// The comprehension-required attributes (below 0x8000) of `request` that this server does
    /// not understand, or `nil` when there are none (420, RFC 8489 §6.3.1). DONT-FRAGMENT counts
    /// as unknown when the relay cannot honour it (RFC 8656 §7.2 step 4).
    func unknownRequiredAttributes(of request: STUNMessage) -> [STUNAttributeType]? {
        var unknown: [STUNAttributeType] = []
        for attribute in request.attributes where attribute.type.isComprehensionRequired {
            if Self.understood.contains(attribute.type) { continue }
            if attribute.type == .dontFragment, configuration.supportsDontFragment, request.type.method == .allocate {
                continue
            }
            if !unknown.contains(attribute.type) { unknown.append(attribute.type) }
        }
        return unknown.isEmpty ? nil : unknown
    }

    /// The comprehension-required attributes a request to this server may carry.
    static let understood: Set<STUNAttributeType> = [
        .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes, .realm, .nonce,
        .messageIntegritySHA256, .passwordAlgorithm, .userHash, .xorMappedAddress, .priority, .useCandidate,
        .channelNumber, .lifetime, .xorPeerAddress, .data, .xorRelayedAddress, .requestedAddressFamily, .evenPort,
        .requestedTransport, .reservationToken,
    ]
}
