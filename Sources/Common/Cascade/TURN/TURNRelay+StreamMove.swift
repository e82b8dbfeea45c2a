import MeshRuntime

// The receiving side of a stream client's move (issue 13, item 6): the relay on the session's
// worker adopts the socket and serves the connection from then on, the Allocate that started
// the move first (nonces are stateless, so it authenticates here as it did on the listener's
// worker).

extension TURNRelay {
    /// Takes the stream client `origin` (the listener's relay) handed over: adopts its socket
    /// on this relay's worker and serves the frames it brought. A socket that cannot be adopted
    /// here goes back to `origin`, which serves the connection as before (logged once); with
    /// `origin` `nil` this is that return, and a failure closes the socket. Loop only.
    func adopt(_ handover: TURNStreamHandover, from origin: TURNRelay?) {
        let socket: TCPConnection
        do {
            guard let worker = loop as? MediaWorker, !isStopped else {
                throw NodeTURN.Failure.relayStopped
            }
            socket = try TCPConnection(adopting: handover.socket, worker: worker)
        } catch {
            guard let origin else {
                logger.notice("TURN \(handover.transport.name)/\(handover.client): lost in a move (\(error))")
                handover.socket.close()
                return
            }
            logger.notice(
                "TURN \(handover.transport.name)/\(handover.client): cannot move to its session's worker (\(error)); it stays on the listener's"
            )
            counters.countStreamClientMove(handover.transport, moved: false)
            origin.loop.post { origin.adopt(handover, from: nil) }
            return
        }
        let connection = TURNStreamConnection(handover: handover, socket: socket, relay: self)
        guard register(connection) else {
            connection.close()
            return
        }
        if origin != nil { counters.countStreamClientMove(handover.transport, moved: true) }
        do { try connection.resume(serving: handover.frames) } catch { connection.close() }
    }
}
