/// This machine's UDP send cost, measured before the run by ``SendLimitProbe``, and each
/// node's CPU per forwarded packet as a share of it (issue 12: a node at 60 % spends 1/0.6 of
/// what the kernel alone needs per datagram).
struct SendLimitFigures: Codable, Sendable, Equatable {
    /// Bytes per datagram (the scenario's largest video packet).
    var datagramBytes: Int
    /// Loopback destinations the datagrams went round-robin to.
    var destinations: Int
    /// Datagrams per `sendmmsg` call.
    var batch: Int
    /// Sender CPU microseconds per datagram, `sendmmsg` batches.
    var usPerPacket: Double
    /// The same with `UDP_SEGMENT`; `nil` where the kernel cannot segment.
    var gsoUsPerPacket: Double?
    /// Datagrams per GSO send.
    var gsoSegments: Int?
    /// CPU microseconds one thread spends to sleep and wake up once (``WakeUpProbe``); `nil` in
    /// reports from before it was measured.
    var wakeUpUs: Double? = nil
    /// Node id to `usPerPacket / node CPU µs per forwarded packet`, for nodes that forwarded.
    var shareByNode: [String: Double] = [:]

    /// Datagrams one core can send per second this way.
    var packetsPerSecondPerCore: Double { usPerPacket > 0 ? 1e6 / usPerPacket : 0 }
    /// The same with GSO.
    var gsoPacketsPerSecondPerCore: Double? { gsoUsPerPacket.flatMap { $0 > 0 ? 1e6 / $0 : nil } }

    /// These figures with each node's share filled in from its CPU per forwarded packet.
    func sharing(with nodes: [NodeFigures]) -> SendLimitFigures {
        var figures = self
        for node in nodes {
            guard let perPacket = node.cpuUsPerForwardedPacket, perPacket > 0 else { continue }
            figures.shareByNode[node.id] = usPerPacket / perPacket
        }
        return figures
    }

    /// What `node`'s sleeps over the steady window cost per forwarded packet at the measured
    /// price of a sleep and wake-up; `nil` without either.
    func sleepUsPerPacket(of node: NodeFigures) -> Double? {
        guard let sleeps = node.steadySleeps, let wakeUpUs else { return nil }
        return sleeps.usPerForwardedPacket(wakeUpUs: wakeUpUs)
    }

    /// `1.07 µs per 1132-byte datagram (935k/s per core), GSO 0.41 µs (2.4M/s), a sleep and
    /// wake-up 31 µs`.
    var summary: String {
        let number = { (value: Double) in FigureFormat.number(value) }
        var text =
            "\(number(usPerPacket)) µs per \(datagramBytes)-byte datagram, sendmmsg ×\(batch) to \(destinations) "
            + "loopback destinations (\(Self.rate(packetsPerSecondPerCore)) per core)"
        if let gso = gsoUsPerPacket, let rate = gsoPacketsPerSecondPerCore {
            text += "; GSO ×\(gsoSegments ?? 0) \(number(gso)) µs (\(Self.rate(rate)) per core)"
        }
        if let wakeUpUs { text += "; a sleep and wake-up \(number(wakeUpUs)) µs" }
        return text
    }

    /// `935k/s`, `2.4M/s`.
    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6
            ? FigureFormat.number(perSecond / 1e6) + "M/s" : FigureFormat.number(perSecond / 1e3, digits: 0) + "k/s"
    }
}
