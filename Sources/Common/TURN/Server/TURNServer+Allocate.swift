import MeshCrypto
import MeshWire

/// Allocate (RFC 8656 §7.2) and Refresh (RFC 8656 §7.3).
extension TURNServer {
    /// The lifetime granted for a requested one: the default when less (or none) is asked,
    /// capped at the maximum (RFC 8656 §7.2 step 7, §7.3).
    func grantedLifetime(_ requested: UInt32?) -> UInt32 {
        min(max(requested ?? configuration.defaultLifetime, configuration.defaultLifetime), configuration.maxLifetime)
    }

    /// The credential id quotas count: what follows `expiry:` in a REST username.
    static func credentialID(of username: UnsafeRawBufferPointer) -> [UInt8] {
        guard let colon = username.firstIndex(of: UInt8(ascii: ":")) else { return Array(username) }
        return Array(username[(colon + 1)...])
    }

    /// Whether `client` may be sent to `alternate`: the same family (RFC 8489 §10), and a
    /// loopback alternate only for a loopback client.
    static func canRedirect(_ client: STUNTransportAddress, to alternate: STUNTransportAddress) -> Bool {
        guard client.ip.family == alternate.ip.family else { return false }
        return !isLoopback(alternate.ip) || isLoopback(client.ip)
    }

    static func isLoopback(_ ip: STUNIPAddress) -> Bool {
        switch ip {
        case let .v4(value): value >> 24 == 127
        case let .v6(high, low): high == 0 && low == 1
        }
    }

    mutating func allocate(
        _ request: STUNMessage, on fiveTuple: TURNFiveTuple, username: UnsafeRawBufferPointer, key: STUNIntegrityKey,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        // Step 2: an allocation already on this 5-tuple. A retransmission of the request that
        // made it gets the same success again; anything else is 437.
        if let existing = allocations[fiveTuple] {
            guard existing.allocateTransaction == request.transactionID, existing.key == key else {
                return reply(to: request, key: key, into: output, error: 437)
            }
            return allocateSuccess(request, existing, key: key, now: now, into: output)
        }
        let credentialID = Self.credentialID(of: username)
        if let alternate = ledger.alternate(forCredentialID: credentialID, client: fiveTuple.client.ip),
            Self.canRedirect(fiveTuple.client, to: alternate)
        {
            return reply(to: request, key: key, into: output, error: 300) { builder in
                try builder.appendMappedAddress(alternate, as: .alternateServer)
            }
        }
        let turn = request.turn
        do {
            // Step 3: REQUESTED-TRANSPORT must be present (400) and UDP (442).
            guard let transport = try turn.requestedTransport else {
                return reply(to: request, key: key, into: output, error: 400)
            }
            guard transport == TURNConstants.udpTransport else {
                return reply(to: request, key: key, into: output, error: 442)
            }
            let evenPort = try turn.evenPort
            let token = try turn.reservationToken
            let requestedFamily = try turn.requestedAddressFamily
            let additionalFamily = try turn.additionalAddressFamily
            // Step 5: RESERVATION-TOKEN excludes EVEN-PORT and REQUESTED-ADDRESS-FAMILY;
            // ADDITIONAL-ADDRESS-FAMILY excludes REQUESTED-ADDRESS-FAMILY and names IPv6 only
            // (RFC 8656 §7.2, §18.11).
            if token != nil, evenPort != nil || requestedFamily != nil {
                return reply(to: request, key: key, into: output, error: 400)
            }
            if let additionalFamily, requestedFamily != nil || token != nil || additionalFamily != .ipv6 {
                return reply(to: request, key: key, into: output, error: 400)
            }
            // Step 8: a family this server does not relay: 440.
            let family = requestedFamily ?? .ipv4
            guard family == .ipv4 || family == .ipv6, ledger.supports(family) else {
                return reply(to: request, key: key, into: output, error: 440)
            }
            // Read before a port is taken: a malformed LIFETIME answered 400 after the take
            // would leave the port (or a spent reservation) held by no allocation, and a client
            // could empty the relay range that way.
            let lifetime = grantedLifetime(try turn.lifetime)
            // Quotas per credential id and per node (486, issue 13), then steps 6 and 7: the
            // relayed address, from a reservation or the pool (508 when none); counted in the
            // node's ledger at once, whichever worker's server asks.
            let taken: (address: STUNTransportAddress, token: UInt64?)
            switch ledger.admit(
                credentialID: credentialID, limits: configuration, family: family, token: token,
                even: evenPort != nil, reserveNext: evenPort == true, now: now)
            {
            case let .success(admitted): taken = admitted
            case .failure(.quota): return reply(to: request, key: key, into: output, error: 486)
            case .failure(.noRelayAddress): return reply(to: request, key: key, into: output, error: 508)
            }
            let allocation = TURNAllocation(
                fiveTuple: fiveTuple, relayed: taken.address, username: Array(username), credentialID: credentialID,
                key: key, opened: now, expiry: now.adding(seconds: Int64(lifetime)),
                allocateTransaction: request.transactionID, lifetime: lifetime, reservationToken: taken.token,
                bandwidth: TURNBandwidthBucket(
                    bytesPerSecond: configuration.bandwidthBytesPerSecond,
                    burstBytes: configuration.bandwidthBurstBytes,
                    now: now))
            allocations[fiveTuple] = allocation
            allocationOfRelayed[taken.address] = fiveTuple
            events.append(
                .opened(
                    username: String(decoding: username, as: UTF8.self), fiveTuple: fiveTuple, relayed: taken.address,
                    lifetime: lifetime))
            return allocateSuccess(
                request, allocation, key: key, now: now, into: output,
                ipv6Refused: additionalFamily == .ipv6 && family == .ipv4)
        } catch {
            // A TURN attribute present but malformed (wrong length, unknown family byte).
            return reply(to: request, key: key, into: output, error: 400)
        }
    }

    /// The Allocate success: XOR-RELAYED-ADDRESS, LIFETIME, RESERVATION-TOKEN when a port was
    /// held, XOR-MAPPED-ADDRESS (RFC 8656 §7.2). Dual-stack allocations are not made: an
    /// ADDITIONAL-ADDRESS-FAMILY request gets its IPv4 address and ADDRESS-ERROR-CODE 440 for
    /// IPv6 (RFC 8656 §7.2 allows a server to refuse the second family this way).
    private func allocateSuccess(
        _ request: STUNMessage, _ allocation: TURNAllocation, key: STUNIntegrityKey, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer, ipv6Refused: Bool = false
    ) -> TURNServerOutput {
        let remaining = max(0, (allocation.expiry.milliseconds - now.milliseconds) / 1000)
        return reply(to: request, key: key, into: output) { builder in
            try builder.appendXORAddress(allocation.relayed, as: .xorRelayedAddress)
            if ipv6Refused {
                try builder.appendAddressErrorCode(family: .ipv6, code: 440, reason: Self.reason(440))
            }
            try builder.appendLifetime(UInt32(clamping: remaining))
            if let token = allocation.reservationToken { try builder.appendReservationToken(token) }
            try builder.appendXORAddress(allocation.fiveTuple.client)
        }
    }

    mutating func refresh(
        _ request: STUNMessage, on fiveTuple: TURNFiveTuple, username: UnsafeRawBufferPointer, key: STUNIntegrityKey,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        guard let allocation = allocations[fiveTuple] else {
            return reply(to: request, key: key, into: output, error: 437)
        }
        guard allocation.username.elementsEqual(username) else {
            return reply(to: request, key: key, into: output, error: 441)
        }
        let requested: UInt32?
        do {
            // A family other than the allocation's: 443 (RFC 8656 §7.3).
            if let family = try request.turn.requestedAddressFamily, family != allocation.relayed.ip.family {
                return reply(to: request, key: key, into: output, error: 443)
            }
            requested = try request.turn.lifetime
        } catch {
            return reply(to: request, key: key, into: output, error: 400)
        }
        if requested == 0 {
            close(fiveTuple, reason: .refreshedToZero, now: now)
            return reply(to: request, key: key, into: output) { builder in try builder.appendLifetime(0) }
        }
        let lifetime = grantedLifetime(requested)
        allocations[fiveTuple]?.expiry = now.adding(seconds: Int64(lifetime))
        return reply(to: request, key: key, into: output) { builder in try builder.appendLifetime(lifetime) }
    }
}
