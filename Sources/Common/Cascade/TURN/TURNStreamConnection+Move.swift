import MeshRuntime

// A TCP or TLS client moving to the worker that owns its session (issue 13, item 6): the
// authenticated Allocate that starts the move is not answered here; the socket leaves when the
// read that brought it is done and whatever was written to the client has left, and the relay
// on the session's worker answers it (``TURNRelay/adopt(_:from:)``).

extension TURNStreamConnection {
    /// Starts moving to `target` with `frame`, an authenticated Allocate not yet answered.
    func beginMove(to target: TURNRelay, with frame: UnsafeRawBufferPointer) {
        moving = (target, [Array(frame)])
    }

    /// Hands the socket, the TLS session, the reassembler and the frames held back to the move's
    /// target once the socket's write queue is empty (``TCPConnection/detach(_:)``). If the
    /// socket cannot leave, the connection stays here and serves those frames itself.
    func leave() {
        guard let target = moving?.target, !isClosed else { return }
        socket.detach { [self] result in
            let frames = moving?.frames ?? []
            moving = nil
            switch result {
            case let .success(descriptor):
                // The socket is closed here; nothing more is sent or read on this object.
                isClosed = true
                relay.unregister(self)
                let handover = TURNStreamHandover(
                    socket: descriptor, tls: tls, reassembler: reassembler, frames: frames, client: client,
                    lastAllocated: lastAllocated)
                let origin = relay
                target.loop.post { target.adopt(handover, from: origin) }
            case let .failure(error):
                relay.logger.notice("TURN \(fiveTuple): cannot move to its session's worker (\(error)); it stays here")
                relay.counters.countStreamClientMove(transport, moved: false)
                do { try resume(serving: frames) } catch { close() }
            }
        }
    }

    /// Serves `frames` (held back by a move) here, then reads again: on the worker a move
    /// ended on, or where one failed. It does not move again.
    func resume(serving frames: [[UInt8]]) throws {
        movable = false
        for frame in frames where !isClosed {
            frame.withUnsafeBytes { relay.fromStreamClient($0, on: self) }
        }
        guard !isClosed else { return }
        try start()
    }
}
