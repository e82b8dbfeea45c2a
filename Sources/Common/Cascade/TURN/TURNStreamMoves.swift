import MeshRTC
import MeshRuntime
import MeshTURN

/// Where the node relay's TCP and TLS clients go once they authenticate (issue 13, item 6: "an
/// allocation lives on the worker that owns its session"): to the relay on the media port of
/// the worker that owns the session their credential names (`expiry:session id`), which then
/// serves the connection on that worker, so its payloads reach the session by a direct call
/// instead of a ``DatagramHandoff`` ring each way.
struct TURNStreamMoves: Sendable {
    let engine: MediaEngine
    /// The worker the node relay (the listeners) runs on.
    let relayWorker: Int
    /// The relay on worker `k`'s media port at index `k`.
    let ports: [TURNRelay?]

    /// The relay `connection` moves to with `frame`: when `frame` is its first Allocate and
    /// authenticates (``TURNServer/credentialOfFirstAllocate(_:from:transport:now:)``), the
    /// credential's session lives on another worker, and that worker's relay runs on a libuv
    /// worker (a TCP socket needs one); `nil`: the frame is served here.
    func target(
        of frame: UnsafeRawBufferPointer, on connection: TURNStreamConnection, server: TURNServer, now: TURNInstant
    ) -> TURNRelay? {
        guard
            let id = server.credentialOfFirstAllocate(
                frame, from: connection.client, transport: connection.transport, now: now),
            let worker = engine.worker(ofSession: id), worker != relayWorker, worker < ports.count,
            let target = ports[worker], target.loop is MediaWorker
        else { return nil }
        return target
    }
}
