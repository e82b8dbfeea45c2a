import MeshRTC
import MeshRuntime
import MeshWire

// A relay on a media worker's own port (issue 13, item 6): the `Link` of a session on worker k
// names worker k's media port, so its client allocates there and the relay runs on the thread
// that owns the session. Its payloads reach the session by a direct call and the session's
// replies come back the same way: no ring, no socket, no other thread.

extension TURNRelay {
    /// Serves TURN over UDP on `engine`'s worker `worker` media port (that worker's loop must be
    /// this relay's): TURN messages and ChannelData on the port come here (``MediaEngine/serveTURN(worker:receive:)``),
    /// answers and relayed data leave from it, and payloads to that worker's own media addresses
    /// `ownMedia` (the worker's port on the announced and bound IP) go to its sessions in-process;
    /// their replies come back through ``fromMediaIfOwned(_:worker:to:)``, which the node's
    /// in-process path (``TURNMediaBridge/connect(to:portRelays:)``) asks first. Without
    /// `overUDP` (a topology with TCP or TLS TURN only) the port stays the sessions' alone and the
    /// relay serves only the stream clients that move here. Loop only, after ``start()``.
    public func serveMediaPort(
        of engine: MediaEngine, worker: Int, ownMedia: Set<STUNTransportAddress>, announced: STUNIPAddress,
        overUDP: Bool = true
    ) throws {
        bridge = TURNMediaBridge(
            engine: engine, relayWorker: worker,
            own: Dictionary(uniqueKeysWithValues: ownMedia.map { ($0, worker) }), announced: announced)
        guard overUDP else {
            logger.info("TURN on worker \(worker): stream clients of its sessions, peers: \(server.policy.summary)")
            return
        }
        let receive: (UnsafeMutableRawBufferPointer, SocketAddress) -> Void = { [unowned self] bytes, from in
            fromClient(UnsafeRawBufferPointer(bytes), from: from)
        }
        guard let socket = engine.serveTURN(worker: worker, receive: receive) else {
            throw NodeTURN.Failure.noMediaPort(worker: worker)
        }
        listener = socket
        releaseMediaPort = { engine.stopServingTURN(worker: worker) }
        logger.info(
            "TURN over UDP on worker \(worker)'s media port \(socket.localAddress), peers: \(server.policy.summary)")
    }
}
