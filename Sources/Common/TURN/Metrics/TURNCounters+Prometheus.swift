import MeshWire

extension TURNCounters {
    /// The Prometheus text exposition of the counters and of `live` allocations per transport
    /// (`meshcast_turn_*`, each line ending in a newline). Relayed packets and bytes go by path:
    /// `kernel` (a relayed socket) or `in_process` (handed to the node's own media worker).
    public func prometheusText(live: [TURNClientTransport: Int]) -> String {
        let transports: [TURNClientTransport] = [.udp, .tcp, .tls]
        var text = "# TYPE meshcast_turn_allocations gauge\n"
        for transport in transports {
            text += "meshcast_turn_allocations{transport=\"\(transport.name)\"} \(live[transport] ?? 0)\n"
        }
        text += "# TYPE meshcast_turn_allocations_opened_total counter\n"
        for transport in transports {
            text +=
                "meshcast_turn_allocations_opened_total{transport=\"\(transport.name)\"} \(allocationsOpened[transport] ?? 0)\n"
        }
        text += "# TYPE meshcast_turn_responses_total counter\n"
        for (key, count) in responses.sorted(by: {
            ($0.key.method.rawValue, $0.key.code) < ($1.key.method.rawValue, $1.key.code)
        }) {
            text +=
                "meshcast_turn_responses_total{method=\"\(Self.name(of: key.method))\",code=\"\(key.code)\"} \(count)\n"
        }
        let kernel = (
            toPeer: packetsToPeers - inProcessPacketsToPeers, toClient: packetsToClients - inProcessPacketsToClients,
            bytesToPeer: bytesToPeers - inProcessBytesToPeers, bytesToClient: bytesToClients - inProcessBytesToClients
        )
        text += "# TYPE meshcast_turn_relayed_packets_total counter\n"
        text += "meshcast_turn_relayed_packets_total{direction=\"to_peer\",path=\"kernel\"} \(kernel.toPeer)\n"
        text += "meshcast_turn_relayed_packets_total{direction=\"to_client\",path=\"kernel\"} \(kernel.toClient)\n"
        text +=
            "meshcast_turn_relayed_packets_total{direction=\"to_peer\",path=\"in_process\"} \(inProcessPacketsToPeers)\n"
        text +=
            "meshcast_turn_relayed_packets_total{direction=\"to_client\",path=\"in_process\"} \(inProcessPacketsToClients)\n"
        text += "# TYPE meshcast_turn_relayed_bytes_total counter\n"
        text += "meshcast_turn_relayed_bytes_total{direction=\"to_peer\",path=\"kernel\"} \(kernel.bytesToPeer)\n"
        text += "meshcast_turn_relayed_bytes_total{direction=\"to_client\",path=\"kernel\"} \(kernel.bytesToClient)\n"
        text +=
            "meshcast_turn_relayed_bytes_total{direction=\"to_peer\",path=\"in_process\"} \(inProcessBytesToPeers)\n"
        text +=
            "meshcast_turn_relayed_bytes_total{direction=\"to_client\",path=\"in_process\"} \(inProcessBytesToClients)\n"
        text += "# TYPE meshcast_turn_stream_clients_moved_total counter\n"
        for transport in [TURNClientTransport.tcp, .tls] {
            text +=
                "meshcast_turn_stream_clients_moved_total{transport=\"\(transport.name)\"} \(streamClientsMoved[transport] ?? 0)\n"
        }
        text += "# TYPE meshcast_turn_stream_client_moves_failed_total counter\n"
        text += "meshcast_turn_stream_client_moves_failed_total \(streamClientMovesFailed)\n"
        text += "# TYPE meshcast_turn_dropped_total counter\n"
        for (reason, count) in drops.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            text += "meshcast_turn_dropped_total{reason=\"\(reason.rawValue)\"} \(count)\n"
        }
        return text
    }

    /// The method's name as RFC 8489 and RFC 8656 write it, or its number.
    static func name(of method: STUNMethod) -> String {
        switch method {
        case .binding: "binding"
        case .allocate: "allocate"
        case .refresh: "refresh"
        case .createPermission: "create_permission"
        case .channelBind: "channel_bind"
        default: "0x" + String(method.rawValue, radix: 16)
        }
    }
}
