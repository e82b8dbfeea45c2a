import MeshCrypto
import MeshRTC
import MeshRuntime
import MeshTestSupport
import MeshWire
import Testing

private let second: UInt64 = 1_000_000_000

/// A server agent and a client agreeing on credentials, as an SDP exchange would leave them.
private func pair() -> (ICELiteAgent, ICEControllingClient) {
    let server = ICECredentials.generate()
    let client = ICECredentials.generate()
    return (ICELiteAgent(local: server, remote: client), ICEControllingClient(local: client, remote: server))
}

@Suite struct ICECredentialsTests {
    @Test func generatedCredentialsFollowRFC8839() {
        let first = ICECredentials.generate()
        let other = ICECredentials.generate()
        #expect(first.ufrag.count == 8 && first.password.count == 24)
        #expect(ICECredentials.isValidUfrag(first.ufrag) && ICECredentials.isValidPassword(first.password))
        #expect(first != other)
        #expect(!ICECredentials.isValidUfrag("ab:c") && !ICECredentials.isValidPassword("short"))
        #expect(!"\(first)".contains(first.password))
    }
}

@Suite struct ICELiteAgentTests {
    /// RFC 5769 §2.1: the sample request is valid under its password; the agent answers with a
    /// success response that echoes the transaction, maps the source and is signed with the
    /// same password (RFC 8445 §7.3.1.1).
    @Test func answersRFC5769SampleRequest() throws {
        let agent = ICELiteAgent(
            local: ICECredentials(ufrag: "evtj", password: rfc5769Password),
            remote: ICECredentials(ufrag: "h6vY", password: "remote-password-unused-here"))
        let from = try loopback(32853)
        let (outcome, response) = try answer(agent, rfc5769Request, from: from, now: 7 * second)
        guard case .respond(_, let nominated, let addressChanged) = outcome else {
            Issue.record("expected a success response, got \(outcome), \(agent.counters)")
            return
        }
        #expect(!nominated && !addressChanged)  // no USE-CANDIDATE in the sample
        #expect(agent.selectedAddress == nil)
        #expect(agent.lastConsent == 7 * second)
        #expect(agent.isValidated(from))
        try withSTUN(response) { message throws in
            #expect(message.type == .bindingSuccess)
            #expect(message.transactionID == STUNTransactionID(high: 0xb7e7_a701, low: 0xbc34_d686_fa87_dfae))
            #expect(try message.xorAddress() == STUNTransportAddress(ip: .v4(0x7F00_0001), port: 32853))
            #expect(try message.verifyIntegrity(.hmacSHA1, key: .shortTerm(password: rfc5769Password)))
            #expect(message.fingerprintIsValid == true)
        }
        #expect(try withSTUN(rfc5769Request) { ICELiteAgent.localUfrag(in: $0) } == "evtj")
    }

    /// RFC 8489 §9.1.3: a request whose MESSAGE-INTEGRITY fails gets 401 without integrity.
    @Test func badIntegrityIsAnswered401AndCounted() throws {
        let (agent, _) = pair()
        let forger = ICEControllingClient(
            local: agent.remoteCredentials!,
            remote: ICECredentials(ufrag: agent.localCredentials.ufrag, password: "not-the-password-at-all"))
        let (outcome, response) = try answer(agent, try bindingRequest(forger), from: try loopback(5000), now: 0)
        #expect(outcome == .respondError(length: response.count, rejection: .badIntegrity))
        #expect(agent.counters == .init(accepted: 0, rejected: 1, ignored: 0))
        #expect(agent.selectedAddress == nil && agent.lastConsent == nil)
        #expect(!agent.isValidated(try loopback(5000)))
        try withSTUN(response) { message throws in
            #expect(message.type == .bindingError)
            #expect(try message.errorCode?.code == 401)
            #expect(message.messageIntegrityOffset == nil)
            #expect(message.fingerprintIsValid == true)
        }
    }

    /// RFC 8489 §9.1.3: a USERNAME naming other credentials gets 401.
    @Test func unknownUsernameIsAnswered401() throws {
        let (agent, _) = pair()
        let stranger = ICEControllingClient(local: .generate(), remote: agent.localCredentials)
        let (outcome, _) = try answer(agent, try bindingRequest(stranger), from: try loopback(5000), now: 0)
        #expect(outcome.rejection == .unknownUsername)
    }

    /// RFC 8489 §9.1.3: no USERNAME means 400.
    @Test func missingUsernameIsAnswered400() throws {
        let (agent, _) = pair()
        var bytes = [UInt8](repeating: 0, count: 256)
        let length = try bytes.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(into: buffer, type: .bindingRequest, transactionID: .random())
            try builder.appendPriority(1)
            try builder.appendUseCandidate()
            try builder.appendIntegrity(.hmacSHA1, key: .shortTerm(password: agent.localCredentials.password))
            try builder.appendFingerprint()
            return builder.count
        }
        let (outcome, response) = try answer(agent, Array(bytes[..<length]), from: try loopback(5000), now: 0)
        #expect(outcome.rejection == .badRequest)
        #expect(try withSTUN(response) { try $0.errorCode?.code } == 400)
        #expect(agent.selectedAddress == nil)
    }

    /// RFC 8489 §6.3.1: an unknown comprehension-required attribute gets 420 listing it.
    @Test func unknownComprehensionRequiredAttributeIsAnswered420() throws {
        let (agent, client) = pair()
        let credentials = (server: agent.localCredentials, client: client.local)
        var bytes = [UInt8](repeating: 0, count: 256)
        let length = try bytes.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(into: buffer, type: .bindingRequest, transactionID: .random())
            try builder.appendText(.username, "\(credentials.server.ufrag):\(credentials.client.ufrag)")
            try appendWord(STUNAttributeType(rawValue: 0x0050), 7, to: &builder)  // unassigned, < 0x8000
            try builder.appendIntegrity(.hmacSHA1, key: .shortTerm(password: credentials.server.password))
            try builder.appendFingerprint()
            return builder.count
        }
        let request = Array(bytes[..<length])
        let (outcome, response) = try answer(agent, request, from: try loopback(5000), now: 0)
        #expect(outcome.rejection == .unknownAttributes)
        try withSTUN(response) { message throws in
            #expect(try message.errorCode?.code == 420)
            #expect(try message.unknownAttributes.map { Array($0) } == [STUNAttributeType(rawValue: 0x0050)])
            #expect(try message.verifyIntegrity(.hmacSHA1, key: .shortTerm(password: credentials.server.password)))
        }
    }

    /// RFC 8489 §7.3: a wrong FINGERPRINT means the datagram is not STUN; nothing is sent.
    @Test func badFingerprintIsIgnored() throws {
        let (agent, client) = pair()
        var request = try bindingRequest(client)
        request[request.count - 1] ^= 0xFF
        let (outcome, response) = try answer(agent, request, from: try loopback(5000), now: 0)
        guard case .ignore = outcome else {
            Issue.record("expected ignore, got \(outcome)")
            return
        }
        #expect(response.isEmpty && agent.counters.ignored == 1)
    }

    /// RFC 8445 §7.3.1.5 (lite agents): USE-CANDIDATE selects the source; a later nominating
    /// request from another address moves the selection, a plain check does not.
    @Test func nominationAndRoaming() throws {
        let (agent, client) = pair()
        let first = try loopback(5000)
        let roamed = try loopback(6000)
        let (nominated, _) = try answer(agent, try bindingRequest(client), from: first, now: 1 * second)
        #expect(nominated.succeeded == [true, true])
        #expect(agent.selectedAddress == first)

        let (check, _) = try answer(agent, try bindingRequest(client, nominate: false), from: roamed, now: 2 * second)
        #expect(check.succeeded == [false, false])
        #expect(agent.selectedAddress == first && agent.isValidated(roamed))
        #expect(agent.lastConsent == 1 * second)  // a check on another pair is no consent for this one

        let (moved, _) = try answer(agent, try bindingRequest(client), from: roamed, now: 3 * second)
        #expect(moved.succeeded == [true, true])
        #expect(agent.selectedAddress == roamed && agent.lastConsent == 3 * second)

        let (again, _) = try answer(agent, try bindingRequest(client), from: roamed, now: 4 * second)
        #expect(again.succeeded == [true, false])
    }

    /// RFC 7675 §5.1: consent lapses 30 s after the last valid check on the selected pair.
    @Test func consentExpiresAfterThirtySeconds() throws {
        let (agent, client) = pair()
        #expect(!agent.isConsentExpired(now: 100 * second))  // no consent yet: nothing to lapse
        _ = try answer(agent, try bindingRequest(client), from: try loopback(5000), now: 10 * second)
        #expect(!agent.isConsentExpired(now: 39 * second))
        #expect(agent.isConsentExpired(now: 40 * second))
        _ = try answer(agent, try bindingRequest(client), from: try loopback(5000), now: 35 * second)
        #expect(!agent.isConsentExpired(now: 40 * second))
    }

    /// RFC 8445 §9: after a restart both generations are accepted, the selected address is
    /// kept, and the old one ends when the new one nominates.
    @Test func restartWithNewCredentials() throws {
        let (agent, client) = pair()
        let address = try loopback(5000)
        _ = try answer(agent, try bindingRequest(client), from: address, now: 1 * second)
        let oldServer = agent.localCredentials

        let newServer = ICECredentials.generate()
        let newClient = ICECredentials.generate()
        agent.restart(local: newServer, remote: newClient)
        #expect(agent.localCredentials == newServer && agent.previousLocalCredentials == oldServer)
        #expect(agent.selectedAddress == address)

        let (old, oldResponse) = try answer(agent, try bindingRequest(client), from: address, now: 2 * second)
        #expect(old.succeeded == [true, false])
        #expect(
            try withSTUN(oldResponse) {
                try $0.verifyIntegrity(.hmacSHA1, key: .shortTerm(password: oldServer.password))
            })

        let restarted = ICEControllingClient(local: newClient, remote: newServer)
        let newAddress = try loopback(5001)
        let (check, _) = try answer(
            agent, try bindingRequest(restarted, nominate: false), from: newAddress, now: 3 * second)
        #expect(check.succeeded == [false, false])
        #expect(agent.selectedAddress == address && agent.previousLocalCredentials == oldServer)

        let (nominated, newResponse) = try answer(
            agent, try bindingRequest(restarted), from: newAddress, now: 4 * second)
        #expect(nominated.succeeded == [true, true])
        #expect(agent.selectedAddress == newAddress && agent.previousLocalCredentials == nil)
        #expect(
            try withSTUN(newResponse) {
                try $0.verifyIntegrity(.hmacSHA1, key: .shortTerm(password: newServer.password))
            })

        let (stale, _) = try answer(agent, try bindingRequest(client), from: address, now: 5 * second)
        #expect(stale.rejection == .unknownUsername)
    }

    /// The client accepts the agent's response to its own request (RFC 8445 §7.2.5) and
    /// refuses one signed with another password.
    @Test func clientChecksResponses() throws {
        let (agent, client) = pair()
        let request = try bindingRequest(client)
        let (_, response) = try answer(agent, request, from: try loopback(5000), now: 0)
        let outcome = try withSTUN(response) { client.handleResponse($0, now: 9) }
        #expect(outcome == .succeeded(mappedAddress: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 5000)))
        #expect(client.isConnected && client.lastResponse == 9)
        // The same response again: its transaction is finished.
        #expect(try withSTUN(response) { client.handleResponse($0, now: 10) }.isIgnore)

        // A response to a transaction the client did send, signed with another password.
        let pending = try bindingRequest(client)
        let transactionID = try withSTUN(pending) { $0.transactionID }
        var bytes = [UInt8](repeating: 0, count: 256)
        let length = try bytes.withUnsafeMutableBytes { buffer in
            var builder = try STUNMessageBuilder(into: buffer, type: .bindingSuccess, transactionID: transactionID)
            try builder.appendXORAddress(STUNTransportAddress(ip: .v4(0x7F00_0001), port: 5000))
            try builder.appendIntegrity(.hmacSHA1, key: .shortTerm(password: "another-password-entirely"))
            try builder.appendFingerprint()
            return builder.count
        }
        #expect(try withSTUN(Array(bytes[..<length])) { client.handleResponse($0, now: 11) }.isIgnore)
        #expect(client.lastResponse == 9)
    }
}

extension ICEBindingOutcome {
    /// The rejection of an error response, `nil` otherwise.
    var rejection: ICEBindingRejection? {
        if case .respondError(_, let rejection) = self { return rejection }
        return nil
    }

    /// `[nominated, addressChanged]` of a success response, `nil` otherwise.
    var succeeded: [Bool]? {
        if case .respond(_, let nominated, let addressChanged) = self { return [nominated, addressChanged] }
        return nil
    }
}

extension ICEClientResponseOutcome {
    var isIgnore: Bool {
        if case .ignore = self { return true }
        return false
    }
}

/// Appends a 4-byte attribute of any type, for requests carrying attributes ICE does not know.
private func appendWord(_ type: STUNAttributeType, _ value: UInt32, to builder: inout STUNMessageBuilder) throws {
    try builder.append(type, length: 4) { writer throws(ByteWriter.Overflow) in try writer.write(value) }
}
