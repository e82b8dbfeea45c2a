import MeshCrypto
import MeshWire

/// CreatePermission (RFC 8656 §9.2) and ChannelBind (RFC 8656 §11.2), both checked against
/// the peer policy (403).
extension TURNServer {
    mutating func createPermission(
        _ request: STUNMessage, on fiveTuple: TURNFiveTuple, username: UnsafeRawBufferPointer, key: STUNIntegrityKey,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        guard let allocation = allocations[fiveTuple] else {
            return reply(to: request, key: key, into: output, error: 437)
        }
        guard allocation.username.elementsEqual(username) else {
            return reply(to: request, key: key, into: output, error: 441)
        }
        // Every XOR-PEER-ADDRESS is checked before any is installed: all or nothing (RFC 8656 §9.2).
        var peers: [STUNIPAddress] = []
        for attribute in request.attributes where attribute.type == .xorPeerAddress {
            guard let peer = try? STUNTransportAddress(xor: attribute, transactionID: request.transactionID) else {
                return reply(to: request, key: key, into: output, error: 400)
            }
            guard peer.ip.family == allocation.relayed.ip.family else {
                return reply(to: request, key: key, into: output, error: 443)
            }
            guard policy.permits(ip: peer.ip) else { return reply(to: request, key: key, into: output, error: 403) }
            peers.append(peer.ip)
        }
        guard !peers.isEmpty else { return reply(to: request, key: key, into: output, error: 400) }
        let newPeers = Set(peers).subtracting(allocation.permissions.keys).count
        guard allocation.permissions.count + newPeers <= configuration.maxPermissionsPerAllocation else {
            return reply(to: request, key: key, into: output, error: 508)
        }
        let expiry = now.adding(seconds: configuration.permissionLifetime)
        for ip in peers { allocations[fiveTuple]?.permissions[ip] = expiry }
        return reply(to: request, key: key, into: output)
    }

    mutating func channelBind(
        _ request: STUNMessage, on fiveTuple: TURNFiveTuple, username: UnsafeRawBufferPointer, key: STUNIntegrityKey,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNServerOutput {
        guard let allocation = allocations[fiveTuple] else {
            return reply(to: request, key: key, into: output, error: 437)
        }
        guard allocation.username.elementsEqual(username) else {
            return reply(to: request, key: key, into: output, error: 441)
        }
        // CHANNEL-NUMBER in 0x4000...0x4FFF and an XOR-PEER-ADDRESS, else 400 (RFC 8656 §11.2).
        guard let number = try? request.turn.channelNumber, TURNConstants.channelNumbers.contains(number),
            let peer = try? request.xorAddress(.xorPeerAddress)
        else { return reply(to: request, key: key, into: output, error: 400) }
        guard peer.ip.family == allocation.relayed.ip.family else {
            return reply(to: request, key: key, into: output, error: 443)
        }
        // Rebinding rules: a channel stays with its peer and a peer with its channel for the
        // binding's life; refreshing the same pair is allowed (RFC 8656 §11.2).
        if let bound = allocation.channels[number], bound.peer != peer {
            return reply(to: request, key: key, into: output, error: 400)
        }
        if let boundNumber = allocation.channelOfPeer[peer], boundNumber != number {
            return reply(to: request, key: key, into: output, error: 400)
        }
        guard policy.permits(peer: peer) else { return reply(to: request, key: key, into: output, error: 403) }
        let isNew = allocation.channels[number] == nil
        if isNew, allocation.channels.count >= configuration.maxChannelsPerAllocation {
            return reply(to: request, key: key, into: output, error: 508)
        }
        if allocation.permissions[peer.ip] == nil,
            allocation.permissions.count >= configuration.maxPermissionsPerAllocation
        {
            return reply(to: request, key: key, into: output, error: 508)
        }
        // The binding also installs or refreshes the permission for the peer's IP.
        allocations[fiveTuple]?.channels[number] = (peer, now.adding(seconds: configuration.channelLifetime))
        allocations[fiveTuple]?.channelOfPeer[peer] = number
        allocations[fiveTuple]?.permissions[peer.ip] = now.adding(seconds: configuration.permissionLifetime)
        return reply(to: request, key: key, into: output)
    }
}
