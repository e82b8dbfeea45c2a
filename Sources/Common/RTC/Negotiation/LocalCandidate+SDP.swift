import MeshWire

extension LocalCandidate {
    /// The `a=candidate` lines for `candidates`, in order, with priorities that keep that order
    /// and rank every UDP candidate above every TCP one.
    ///
    /// Priority is RFC 8445 §5.1.2.1's `2^24·type + 2^8·local + (256 − component)`. Host UDP
    /// takes the recommended type preference 126; TCP takes 90, below UDP as RFC 6544 §4.2
    /// asks and as browsers write it. Candidates with the same address and transport share a
    /// foundation (RFC 8445 §5.1.1.3).
    static func attributes(_ candidates: [LocalCandidate]) -> [SDPAttribute] {
        var foundations: [String: Int] = [:]
        return candidates.enumerated().map { index, candidate in
            let key = "\(candidate.transport)|\(candidate.ip)"
            let foundation = foundations[key] ?? (foundations.count + 1)
            foundations[key] = foundation
            let typePreference: UInt32 = candidate.transport == .udp ? 126 : 90
            let localPreference = UInt32(65_535 - min(index, 65_535))
            let component: UInt32 = 1
            let priority = typePreference << 24 | localPreference << 8 | (256 - component)
            return .candidate(
                ICECandidate(
                    foundation: "\(foundation)", component: 1,
                    transport: candidate.transport == .udp ? "udp" : "tcp", priority: priority,
                    address: candidate.ip, port: candidate.port, kind: .host,
                    tcpType: candidate.transport == .tcpPassive ? "passive" : nil))
        }
    }

    /// The `c=` line for this address (RFC 8866 §5.7).
    var connection: SDPConnection {
        SDPConnection(addressType: ip.contains(":") ? "IP6" : "IP4", address: ip)
    }
}
