import Logging
import MeshCluster
import MeshControl
import MeshCrypto
import MeshRTC
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
        /// A media worker has not bound its port, so TURN cannot be served on it.
        case noMediaPort(worker: Int)
        /// The relay a TCP or TLS client was moving to has stopped.
        case relayStopped

        public var description: String {
            switch self {
            case let .notAnIPAddress(text): "TURN needs IP literals for the media host and announce IP, not '\(text)'"
            case let .noMediaPort(worker): "worker \(worker) has no media port to serve TURN on"
            case .relayStopped: "the TURN relay has stopped"
            }
        }
    }

    /// The peer policy of `node` with `workers` media ports: self-only by default, the
    /// node's announced and bound media addresses; `open` with the allow-list, refusing the
    /// node's HTTP port and its own TURN ports.
    static func policy(for node: TopologyNode, turn: TURNListeners, workers: Int) throws -> TURNPeerPolicy {
        guard turn.relayToAnyPeer == true else { return .selfOnly(Set(ownMedia(of: node, workers: workers).keys)) }
        let allow = (turn.allowPeers ?? []).compactMap { IPPrefix($0.description) }
        let control = [node.api.port, turn.udpPort, turn.tcpPort, turn.tls?.port].compactMap { $0 }
        return .open(OpenRelayRules(allow: allow, deniedPorts: Set(control)))
    }

    /// The node's own media addresses (announced and bound IP, each worker's port) and the
    /// worker that owns each: the peers the in-process path serves.
    static func ownMedia(of node: TopologyNode, workers: Int) -> [STUNTransportAddress: Int] {
        var own: [STUNTransportAddress: Int] = [:]
        for host in Set([node.announceIP, node.mediaHost]) {
            guard let ip = IPAddressText.parse(host) else { continue }
            for index in 0..<max(1, workers) {
                own[STUNTransportAddress(ip: ip, port: node.ports.first &+ UInt16(index))] = index
            }
        }
        return own
    }

    /// The TURN relays for `settings`' node: the node relay, created and started on `worker`
    /// with its UDP, TCP and TLS listeners, and with `engine` and a UDP listener in the topology,
    /// one relay on each media worker's own port (``TURNRelays``); `nil` when the node has no
    /// TURN listener or no secret is set (logged: TURN stays off, the node runs). With `engine`,
    /// payloads between allocations and the node's own media ports go in-process
    /// (``TURNMediaBridge``). A TLS certificate that does not load stops the node from starting:
    /// the operator asked for TLS.
    public static func start(
        settings: NodeSettings, workers: Int, on worker: MediaWorker, engine: MediaEngine? = nil, logger: Logger
    ) async throws -> TURNRelays? {
        let node = settings.node
        guard let turn = node.turn, turn.udpPort != nil || turn.tcpPort != nil || turn.tls != nil else { return nil }
        guard !settings.turnSecrets.isEmpty else {
            logger.warning("TURN is configured but no TURN secret is set: TURN stays off")
            return nil
        }
        guard let announced = IPAddressText.parse(node.announceIP) else {
            throw Failure.notAnIPAddress(node.announceIP)
        }
        guard let bound = IPAddressText.parse(node.mediaHost) else { throw Failure.notAnIPAddress(node.mediaHost) }
        let certificate = try turn.tls.map { tls in
            try TLSServerContext(certificatePath: tls.certificatePath, keyPath: tls.keyPath)
        }
        let range = turn.relayPorts.map { $0.first...$0.last } ?? defaultRelayPorts
        let relayPorts =
            announced.family == .ipv4
            ? TURNRelayPorts(ipv4: announced, range: range) : TURNRelayPorts(ipv4: nil, ipv6: announced, range: range)
        let policy = try policy(for: node, turn: turn, workers: workers)
        let server = TURNServer(
            secrets: settings.turnSecrets.map(TURNSecret.init), policy: policy, relayPorts: relayPorts)
        @Sendable func address(_ port: UInt16) -> SocketAddress {
            SocketAddress(turn: STUNTransportAddress(ip: bound, port: port))
        }
        let logger = logger
        let relay = try await worker.run {
            let relay = TURNRelay(
                loop: worker, server: server, listen: turn.udpPort.map(address),
                relayBindHost: bound == announced ? nil : bound, logger: logger)
            do {
                try relay.start()
                if let port = turn.tcpPort {
                    relay.add(
                        try TURNStreamListener(worker: worker, relay: relay, bindingTo: address(port), certificate: nil)
                    )
                }
                if let tls = turn.tls, let certificate {
                    let listener = try TURNStreamListener(
                        worker: worker, relay: relay, bindingTo: address(tls.port), certificate: certificate)
                    relay.add(listener)
                    relay.certificateReloader = TURNCertificateReloader(
                        listener: listener, worker: worker, certificatePath: tls.certificatePath, keyPath: tls.keyPath,
                        logger: logger)
                }
            } catch {
                relay.stop()
                throw error
            }
            return relay
        }
        guard let engine, engine.workerCount == workers else { return TURNRelays(node: relay, ports: []) }
        let own = ownMedia(of: node, workers: workers)
        var ports: [TURNRelay?] = Array(repeating: nil, count: workers)
        // A relay on every worker: with a UDP listener each media port serves TURN too (the
        // session's `Link` names it); in any case TCP and TLS clients move to their session's.
        do {
            for index in 0..<workers {
                ports[index] = try await startPortRelay(
                    worker: index, engine: engine, server: server, policy: policy, own: own, announced: announced,
                    relayBindHost: bound == announced ? nil : bound, overUDP: turn.udpPort != nil, logger: logger)
            }
        } catch {
            await TURNRelays(node: relay, ports: ports).stop()
            throw error
        }
        do {
            try await relay.connect(to: engine, ownMedia: own, announced: announced, portRelays: ports)
            logger.info("TURN: payloads to this node's media ports go in-process (\(workers) workers)")
        } catch {
            logger.warning("TURN: no in-process path to the media workers (\(error)); relaying through the kernel")
        }
        return TURNRelays(node: relay, ports: ports)
    }

    /// The relay on worker `index`'s own media port (issue 13, item 6): `server`'s sibling (the
    /// node's ledger) whose self-only peers are that worker's media addresses alone, since a
    /// client there holds the `Link` of a session on that worker; other workers' sessions have
    /// their own port. Open mode keeps the node's rules (other peers through relayed sockets).
    public static func startPortRelay(
        worker index: Int, engine: MediaEngine, server: TURNServer, policy: TURNPeerPolicy,
        own: [STUNTransportAddress: Int], announced: STUNIPAddress, relayBindHost: STUNIPAddress?,
        overUDP: Bool = true, logger: Logger, clock: @escaping @Sendable () -> TURNInstant = TURNRelay.wallClock
    ) async throws -> TURNRelay {
        let mine = Set(own.filter { $0.value == index }.keys)
        let portPolicy: TURNPeerPolicy
        if case .selfOnly = policy { portPolicy = .selfOnly(mine) } else { portPolicy = policy }
        let portServer = server.sibling(policy: portPolicy)
        let loop = engine.loop(ofWorker: index)
        return try await loop.run {
            let relay = TURNRelay(
                loop: loop, server: portServer, listen: nil, relayBindHost: relayBindHost, logger: logger, clock: clock)
            do {
                try relay.start()
                try relay.serveMediaPort(
                    of: engine, worker: index, ownMedia: mine, announced: announced, overUDP: overUDP)
            } catch {
                relay.stop()
                throw error
            }
            return relay
        }
    }
}

extension NodeTURN {
    /// How long a minted credential lasts: past any session the node expects to carry
    /// (a working day), short enough that a leaked one soon stops working.
    static let credentialLifetimeSeconds: Int64 = 12 * 3600

    /// The URLs of `node`'s TURN listeners at its announced address (RFC 7065): UDP, TCP,
    /// then TLS (`turns:`), those the topology gives. With `workerPort` (a session's worker
    /// port, which serves TURN too) a UDP URL for it comes first: browsers rank the relay
    /// candidates of earlier servers higher, so the allocation on the session's own worker is
    /// used where that port is reachable, and the listener's (a firewall may let only 3478
    /// through) where it is not.
    public static func urls(of node: TopologyNode, workerPort: UInt16? = nil) -> [String] {
        guard let turn = node.turn else { return [] }
        let host = node.announceIP.contains(":") ? "[\(node.announceIP)]" : node.announceIP
        var urls: [String] = []
        if let port = turn.udpPort {
            if let workerPort, workerPort != port { urls.append("turn:\(host):\(workerPort)?transport=udp") }
            urls.append("turn:\(host):\(port)?transport=udp")
        }
        if let port = turn.tcpPort { urls.append("turn:\(host):\(port)?transport=tcp") }
        if let port = turn.tls?.port { urls.append("turns:\(host):\(port)?transport=tcp") }
        return urls
    }

    /// A minter of `Link` values for this node's TURN listeners, one per listener with one fresh
    /// TURN REST credential (`expiry:session id`, signed with the newest secret), for every
    /// WHIP/WHEP `201` (RFC 9725 §4.6); `nil` when the node runs no TURN or has no secret. The
    /// session id in the username is what ends the credential's allocations with the session.
    /// With `udpPortOfSession` (the media port of the worker that owns a session, where the
    /// media ports serve TURN: issue 13, item 6) a UDP URL for that port comes first, so the
    /// client allocates on the session's own worker too (``urls(of:workerPort:)``).
    public static func sessionLinks(
        settings: NodeSettings, udpPortOfSession: (@Sendable (String) -> UInt16?)? = nil,
        clock: @escaping @Sendable () -> TURNInstant = TURNRelay.wallClock
    ) -> (@Sendable (String) -> [ICEServerLink])? {
        let node = settings.node
        guard !urls(of: node).isEmpty, let secret = settings.turnSecrets.first.map(TURNSecret.init) else { return nil }
        return { id in
            let expiry = clock().adding(seconds: credentialLifetimeSeconds)
            guard let credential = try? TURNRESTCredential(secret: secret, id: id, expiry: expiry) else { return [] }
            return urls(of: node, workerPort: udpPortOfSession?(id)).map {
                ICEServerLink(url: $0, username: credential.username, credential: credential.password)
            }
        }
    }
}
