import MeshRuntime
import MeshWire

// TURN on a worker's own media port (issue 13, item 6): a client of a session on this worker
// allocates on the port its session already uses, so its relayed packets reach the session by a
// direct call on the same thread. The engine only tells TURN's messages from the sessions' and
// hands them over; what serves them (MeshCascade's per-worker TURN relay) is not its business.

extension MediaEngine {
    /// Serves TURN on worker `index`'s media port from now on: every STUN message whose method
    /// is not Binding (Allocate, Refresh, CreatePermission, ChannelBind, Send, and the methods a
    /// TURN server answers 400) and every ChannelData (RFC 7983: first byte 64–79) arriving there
    /// goes to `receive` (the bytes may be changed in place) instead of the sessions; ICE
    /// (Binding), DTLS, RTP and RTCP stay with them. Returns the port's kernel socket, on which
    /// the taker answers its clients; `nil` before the worker bound its port. Worker `index`'s
    /// thread only.
    public func serveTURN(
        worker index: Int, receive: @escaping (UnsafeMutableRawBufferPointer, SocketAddress) -> Void
    ) -> (any DatagramSocket)? {
        let media = workers[index]
        guard let socket = media.inProcess?.kernel ?? media.output.socket else { return nil }
        media.turnPort = receive
        return socket
    }

    /// Worker `index`'s media port stops serving TURN (the relay stopped). Worker `index`'s
    /// thread only.
    public func stopServingTURN(worker index: Int) {
        workers[index].turnPort = nil
    }
}

extension WorkerMedia {
    /// Whether a datagram the demultiplexer classified as STUN is a TURN message for
    /// ``turnPort``: any method but Binding, read from the header's type field (RFC 8489 §5)
    /// before anything is parsed. ICE on this port speaks Binding only.
    static func isTURNMessage(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= STUNMessage.headerSize else { return false }
        return STUNMessageType(rawValue: UInt16(bytes[0]) << 8 | UInt16(bytes[1])).method != .binding
    }
}
