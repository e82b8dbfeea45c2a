import MeshWire

/// The relay path: Send indications and ChannelData from the client (RFC 8656 §10.2, §12.6),
/// and datagrams from peers turned into Data indications or ChannelData (RFC 8656 §10.3,
/// §12.7). Nothing here allocates.
extension TURNServer {
    mutating func sendIndication(_ message: STUNMessage, on fiveTuple: TURNFiveTuple, now: TURNInstant)
        -> TURNServerOutput
    {
        guard let allocation = allocations[fiveTuple] else { return .drop(.noAllocation) }
        // DONT-FRAGMENT the relay cannot honour, or a missing peer or data: discard.
        guard configuration.supportsDontFragment || (try? message.turn.dontFragment) == false,
            let peer = try? message.xorAddress(.xorPeerAddress), let payload = message.turn.data
        else { return .drop(.badIndication) }
        guard peer.ip.family == allocation.relayed.ip.family, allocation.hasPermission(for: peer.ip, now: now) else {
            return .drop(.noPermission)
        }
        guard policy.permits(peer: peer) else { return .drop(.forbiddenPeer) }
        return relay(payload, to: peer, on: fiveTuple, now: now)
    }

    mutating func channelData(_ bytes: UnsafeRawBufferPointer, on fiveTuple: TURNFiveTuple, now: TURNInstant)
        -> TURNServerOutput
    {
        // Over UDP, bytes after the declared length are padding and ignored (RFC 8656 §12.5).
        guard let frame = try? TURNChannelData(parsing: bytes) else { return .drop(.malformed) }
        guard let allocation = allocations[fiveTuple] else { return .drop(.noAllocation) }
        guard let binding = allocation.channels[frame.channelNumber], now < binding.expiry else {
            return .drop(.noChannel)
        }
        guard allocation.hasPermission(for: binding.peer.ip, now: now) else { return .drop(.noPermission) }
        return relay(frame.payload, to: binding.peer, on: fiveTuple, now: now)
    }

    private mutating func relay(
        _ payload: UnsafeRawBufferPointer, to peer: STUNTransportAddress, on fiveTuple: TURNFiveTuple, now: TURNInstant
    ) -> TURNServerOutput {
        guard let relayed = allocations[fiveTuple]?.relayed,
            allocations[fiveTuple]?.bandwidth.take(payload.count, now: now) == true
        else {
            allocations[fiveTuple]?.packetsDropped += 1
            return .drop(.overBandwidth)
        }
        allocations[fiveTuple]?.bytesFromClient += Int64(payload.count)
        return .relay(peer: peer, relayed: relayed, payload: payload)
    }

    /// A datagram from `peer` arrived on the relayed address `relayed`: wrap it for the client
    /// as ChannelData when a channel is bound to the peer, else as a Data indication, provided
    /// a permission for the peer's IP exists (RFC 8656 §10.3, §12.7; without one it is
    /// silently discarded). Over a stream transport ChannelData is padded (RFC 8656 §12.5).
    /// Every packet forwarded to a TURN viewer comes this way: two look-ups (the 5-tuple by
    /// relayed address, the allocation's index), then the allocation is changed in place through
    /// `values`, not copied out and back as `allocations[fiveTuple]?.…` does (a retain of each of
    /// its arrays and tables per packet, seen in the profile).
    public mutating func receive(
        fromPeer peer: STUNTransportAddress, at relayed: STUNTransportAddress, payload: UnsafeRawBufferPointer,
        now: TURNInstant, into output: UnsafeMutableRawBufferPointer
    ) -> TURNPeerOutput {
        guard let fiveTuple = allocationOfRelayed[relayed], let index = allocations.index(forKey: fiveTuple) else {
            return .drop(.noAllocation)
        }
        return allocations.values[index].wrap(payload, from: peer, now: now, into: output)
    }
}

extension TURNAllocation {
    /// The peer side of ``TURNServer/receive(fromPeer:at:payload:now:into:)`` on this allocation.
    fileprivate mutating func wrap(
        _ payload: UnsafeRawBufferPointer, from peer: STUNTransportAddress, now: TURNInstant,
        into output: UnsafeMutableRawBufferPointer
    ) -> TURNPeerOutput {
        guard hasPermission(for: peer.ip, now: now) else { return .drop(.noPermission) }
        guard bandwidth.take(payload.count, now: now) else {
            packetsDropped += 1
            return .drop(.overBandwidth)
        }
        var writer = ByteWriter(output)
        do {
            if let number = channelOfPeer[peer], let binding = channels[number], now < binding.expiry {
                try TURNChannelData.write(
                    channelNumber: number, payload: payload, padToFourBytes: fiveTuple.transport.isStream,
                    into: &writer)
            } else {
                var builder = try STUNMessageBuilder(
                    writer: writer, type: STUNMessageType(method: .data, messageClass: .indication),
                    transactionID: STUNTransactionID.random())
                try builder.appendXORAddress(peer, as: .xorPeerAddress)
                try builder.appendData(payload)
                writer = builder.finish()
            }
        } catch {
            return .drop(.outputTooSmall)
        }
        bytesToClient += Int64(payload.count)
        return .deliver(to: fiveTuple, count: writer.offset)
    }
}
