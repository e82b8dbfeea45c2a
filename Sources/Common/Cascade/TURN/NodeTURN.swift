import Logging
import MeshCluster
import MeshControl
import MeshRuntime
import MeshTURN
import MeshWire

/// Builds a node's TURN server from its topology entry (`turn: {udp, relay_ports, relay_to,
/// allow_peers}`) and the secrets in its settings, and starts it on a media loop.
public enum NodeTURN {
    /// Ports handed out when the topology gives no `relay_ports` (the IANA dynamic range).
    static let defaultRelayPorts: ClosedRange<UInt16> = 49152...65535

    /// Why TURN could not start.
    public enum Failure: Error, CustomStringConvertible {
        /// An address in the topology is not an IP literal.
        case notAnIPAddress(String)

        public var description: String {
            switch self {
            case let .notAnIPAddress(text): "TURN needs IP literals for the media host and announce IP, not '\(text)'"
            }
        }
    }

    /// The peer policy of `node` with `workers` media ports: self-only by default, the
    /// node's announced and bound media addresses; `open` with the allow-list, refusing the
    /// node's HTTP port and its own TURN ports.
    static func policy(for node: TopologyNode, turn: TURNListeners, workers: Int) throws -> TURNPeerPolicy {
        guard turn.relayToAnyPeer == true else {
            var own: Set<STUNTransportAddress> = []
            for host in Set([node.announceIP, node.mediaHost]) {
                guard let ip = IPAddressText.parse(host) else { continue }
                for index in 0..<max(1, workers) {
                    own.insert(STUNTransportAddress(ip: ip, port: node.ports.first &+ UInt16(index)))
                }
            }
            return .selfOnly(own)
        }
        let allow = (turn.allowPeers ?? []).compactMap { IPPrefix($0.description) }
        let control = [node.api.port, turn.udpPort, turn.tcpPort, turn.tls?.port].compactMap { $0 }
        return .open(OpenRelayRules(allow: allow, deniedPorts: Set(control)))
    }

    /// The TURN relay for `settings`' node, created and started on `loop`, or `nil` when the
    /// node has no UDP listener or no secret is set (logged: TURN stays off, the node runs).
    public static func start(
        settings: NodeSettings, workers: Int, on loop: any MediaLoop, logger: Logger
    ) async throws -> TURNUDPRelay? {
        let node = settings.node
        guard let turn = node.turn else { return nil }
        if turn.tcpPort != nil || turn.tls != nil {
            logger.warning("TURN over TCP and TLS is not built yet: only the UDP listener (if any) is served")
        }
        guard let port = turn.udpPort else { return nil }
        guard !settings.turnSecrets.isEmpty else {
            logger.warning("TURN is configured on UDP \(port) but no TURN secret is set: TURN stays off")
            return nil
        }
        guard let announced = IPAddressText.parse(node.announceIP) else {
            throw Failure.notAnIPAddress(node.announceIP)
        }
        guard let bound = IPAddressText.parse(node.mediaHost) else { throw Failure.notAnIPAddress(node.mediaHost) }
        let range = turn.relayPorts.map { $0.first...$0.last } ?? defaultRelayPorts
        let relayPorts =
            announced.family == .ipv4
            ? TURNRelayPorts(ipv4: announced, range: range) : TURNRelayPorts(ipv4: nil, ipv6: announced, range: range)
        let server = TURNServer(
            secrets: settings.turnSecrets.map(TURNSecret.init),
            policy: try policy(for: node, turn: turn, workers: workers),
            relayPorts: relayPorts)
        let listen = SocketAddress(turn: STUNTransportAddress(ip: bound, port: port))
        let logger = logger
        return try await loop.run {
            let relay = TURNUDPRelay(
                loop: loop, server: server, listen: listen, relayBindHost: bound == announced ? nil : bound,
                logger: logger)
            try relay.start()
            return relay
        }
    }
}

extension NodeTURN {
    /// How long a minted credential lasts: past any session the node expects to carry
    /// (a working day), short enough that a leaked one soon stops working.
    static let credentialLifetimeSeconds: Int64 = 12 * 3600

    /// The `turn:` URL of `node`'s UDP listener (RFC 7065), at its announced address.
    public static func url(of node: TopologyNode) -> String? {
        guard let port = node.turn?.udpPort else { return nil }
        let host = node.announceIP.contains(":") ? "[\(node.announceIP)]" : node.announceIP
        return "turn:\(host):\(port)?transport=udp"
    }

    /// A minter of `Link` values for this node's TURN listener, each with a fresh TURN REST
    /// credential (`expiry:session id`, signed with the newest secret), for every WHIP/WHEP `201`
    /// (RFC 9725 §4.6); `nil` when the node runs no TURN over UDP or has no secret. The session
    /// id in the username is what ends the credential's allocations with the session.
    public static func sessionLinks(
        settings: NodeSettings, clock: @escaping @Sendable () -> TURNInstant = TURNUDPRelay.wallClock
    ) -> (@Sendable (String) -> [ICEServerLink])? {
        guard let url = url(of: settings.node), let secret = settings.turnSecrets.first.map(TURNSecret.init) else {
            return nil
        }
        return { id in
            let expiry = clock().adding(seconds: credentialLifetimeSeconds)
            guard let credential = try? TURNRESTCredential(secret: secret, id: id, expiry: expiry) else { return [] }
            return [ICEServerLink(url: url, username: credential.username, credential: credential.password)]
        }
    }
}
