import MeshRTC

/// The coordinator's `/metrics` lines: placement decisions, grants, relay link figures and the
/// last re-path, rendered from figures its parts gathered.
struct CoordinatorMetrics {
    /// Placement decision counts and recent durations.
    var timings: DecisionTimings
    /// Grants refused: forged, misdirected, expired or reused.
    var grantsRefused: UInt64
    /// Viewers redirected without a reserved slot.
    var unreservedRedirects: UInt64
    /// How long the last re-path took, in seconds; nil before the first.
    var lastRepathSeconds: Double?
    /// This node's relay links.
    var links: [LinkSnapshot]

    /// Placement counts and timings, each link's RTT, loss and counters, the last re-path.
    var text: String {
        var text = ""
        text += "# HELP meshcast_placement_decisions_total Placement decisions by verdict.\n"
        text += "# TYPE meshcast_placement_decisions_total counter\n"
        for verdict in ["here", "redirect", "unavailable", "refused"] {
            text += "meshcast_placement_decisions_total{verdict=\"\(verdict)\"} \(timings.verdicts[verdict] ?? 0)\n"
        }
        text +=
            "# HELP meshcast_placement_decision_seconds Time to decide a placement (quantiles over the last \(DecisionTimings.window)).\n"
        text += "# TYPE meshcast_placement_decision_seconds summary\n"
        for quantile in [0.5, 0.99] {
            let value = timings.quantile(quantile).map { "\($0)" } ?? "NaN"
            text += "meshcast_placement_decision_seconds{quantile=\"\(quantile)\"} \(value)\n"
        }
        text += "meshcast_placement_decision_seconds_sum \(timings.totalSeconds)\n"
        text += "meshcast_placement_decision_seconds_count \(timings.count)\n"
        text +=
            "# HELP meshcast_placement_grants_refused_total Grants refused: forged, misdirected, expired or reused.\n"
        text += "# TYPE meshcast_placement_grants_refused_total counter\n"
        text += "meshcast_placement_grants_refused_total \(grantsRefused)\n"
        text +=
            "# HELP meshcast_placement_unreserved_redirects_total Viewers redirected without a reserved slot (client over its unfollowed-redirect quota).\n"
        text += "# TYPE meshcast_placement_unreserved_redirects_total counter\n"
        text += "meshcast_placement_unreserved_redirects_total \(unreservedRedirects)\n"

        func family(_ name: String, _ type: String, _ help: String, _ value: (LinkSnapshot) -> String?) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for link in links {
                guard let figure = value(link) else { continue }
                let labels =
                    "link=\"\(Self.escaped(link.id))\",peer=\"\(Self.escaped(link.peerNode))\",end=\"\(link.end.rawValue)\""
                text += "\(name){\(labels)} \(figure)\n"
            }
        }
        family("meshcast_relay_link_rtt_seconds", "gauge", "Relay link round-trip time.") { link in
            link.roundTripMilliseconds.map { "\($0 / 1000)" }
        }
        family("meshcast_relay_link_loss_ratio", "gauge", "Loss the link's downstream end last reported.") {
            "\($0.fractionLost)"
        }
        family("meshcast_relay_link_packets_total", "counter", "RTP packets sent or received on the link.") {
            "\($0.packets)"
        }
        family(
            "meshcast_relay_link_bytes_total", "counter",
            "Bytes of those packets (SRTP as sent upstream, RTP as received downstream)."
        ) { "\($0.bytes)" }
        family(
            "meshcast_relay_link_retransmissions_total", "counter", "Retransmissions sent or requested on the link."
        ) { "\($0.retransmissions)" }
        family(
            "meshcast_relay_link_dropped_total", "counter",
            "Datagrams the link dropped: refused on receipt, or not protected for sending."
        ) { "\($0.dropped)" }
        if let repath = lastRepathSeconds {
            text += "# HELP meshcast_repath_seconds How long the last re-path after a lost upstream took.\n"
            text += "# TYPE meshcast_repath_seconds gauge\n"
            text += "meshcast_repath_seconds \(repath)\n"
        }
        return text
    }

    /// A label value with `\`, `"` and newlines escaped (Prometheus text format).
    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
