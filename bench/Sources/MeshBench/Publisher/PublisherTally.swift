/// What one stream of a publisher sent, copied off the worker.
struct StreamSendTally: Sendable {
    /// "audio", a RID, or "video".
    let label: String
    let ssrc: UInt32
    let packets: Int
    let bytes: Int
    let resent: Int
}

/// A publisher's counters, copied off the worker for the report.
struct PublisherTally: Sendable {
    let streams: [StreamSendTally]
    /// Packets asked for in NACKs (RFC 4585 §6.2.1), PLIs (§6.3.1) and FIRs (RFC 5104 §4.3.1).
    let nackedPackets: Int
    let plis: Int
    let firs: Int
    let senderReports: Int
    /// Monotonic ns: offer POSTed, DTLS connected, first media packet sent.
    let postedAt: UInt64
    let connectedAt: UInt64?
    let firstPacketAt: UInt64?
    let failure: String?

    /// RTP packets sent first time, every stream.
    var packets: Int { streams.reduce(0) { $0 + $1.packets } }
    /// Packets resent on NACKs, every stream.
    var resent: Int { streams.reduce(0) { $0 + $1.resent } }

    /// The counters as readable lines.
    var text: String {
        func milliseconds(_ end: UInt64?) -> String {
            guard let end, postedAt > 0 else { return "-" }
            return String(Double(end &- postedAt) / 1e6)
        }
        var lines = ["stream  ssrc        packets  bytes      resent"]
        for stream in streams {
            lines.append(
                "\(stream.label.padded(to: 7)) \(String(stream.ssrc).padded(to: 11)) \(String(stream.packets).padded(to: 8)) "
                    + "\(String(stream.bytes).padded(to: 10)) \(stream.resent)")
        }
        lines.append("packets sent \(packets), resent \(resent); NACKed \(nackedPackets), PLI \(plis), FIR \(firs)")
        lines.append("sender reports \(senderReports)")
        lines.append(
            "join: DTLS connected after \(milliseconds(connectedAt)) ms, first packet after \(milliseconds(firstPacketAt)) ms"
        )
        if let failure { lines.append("failure: \(failure)") }
        return lines.joined(separator: "\n")
    }
}
