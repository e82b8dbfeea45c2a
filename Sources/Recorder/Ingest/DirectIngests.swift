import Foundation
import MeshRTC
import Synchronization

/// The clients that publish straight to this recorder (`POST /v1/recordings/ingest`, WHIP
/// semantics): each is a publisher session of the node's own engine, under an engine stream
/// name of its own (``engineStream(_:generation:)``) that no mesh stream can have, published
/// unannounced (``MediaEngine/publish(stream:offer:client:announced:)``): the mesh never
/// registers, claims or relays it. The recording taps it like a relayed stream. A
/// renegotiation is a new publisher session under the next generation's name; the recording
/// moves to its tap and the old session ends.
final class DirectIngests: Sendable {
    /// One ingest: its recording and the engine session that feeds it now.
    struct Session: Sendable {
        /// The recording, whose id is also the ingest session's (its `Location`).
        let recording: UUID
        /// The stream name the client gave (`?stream=`), as catalogued.
        let stream: String
        /// The engine's stream and publisher session now.
        var engineStream: String
        var engineSession: String
        /// The session's ETag (RFC 9725 §4.3.1): the engine's ICE generation.
        var tag: String
        /// Renegotiations so far; names the next engine stream.
        var generation: Int
        /// Whether a renegotiation is under way (a second one at once is refused).
        var renegotiating = false
    }

    private let engine: MediaEngine
    private let sessions = Mutex<[UUID: Session]>([:])
    /// Ids of every engine session that ended, for ``recording(ofSession:)``: the recorder
    /// stops the recording of an ingest whose publisher left on its own.
    let endedSessions: AsyncStream<String>
    private let endedSink: AsyncStream<String>.Continuation

    init(engine: MediaEngine) {
        self.engine = engine
        (endedSessions, endedSink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1024))
        let sink = endedSink
        // On a worker thread: only hands the id on.
        engine.observeSessionEnds { sink.yield($0) }
    }

    /// The engine stream of ingest `key`'s `generation`: `:` is in no stream name a client or
    /// the mesh may use (``RecordingRoutes/isStreamName(_:)``), so no relayed stream shares it,
    /// and the key keeps it apart from every other ingest's.
    static func engineStream(_ key: UUID, generation: Int) -> String {
        "ingest:\(key.uuidString.lowercased()):\(generation)"
    }

    /// Starts a publisher session for `offer` under `engineStream` and taps it.
    func open(engineStream: String, offer: String, client: String) async throws(SessionRequestError) -> (
        SessionAnswer, StreamTap
    ) {
        let answer = try await engine.publish(stream: engineStream, offer: offer, client: client, announced: false)
        do {
            return (answer, try await engine.addTap(stream: engineStream))
        } catch {
            _ = await engine.endSession(
                address(engineStream, answer.sessionID), reason: "the ingest could not be tapped")
            throw .unavailable("the ingest could not be tapped: \(error)")
        }
    }

    /// `session` records from now on.
    func add(_ session: Session) {
        sessions.withLock { $0[session.recording] = session }
    }

    /// The ingest of recording `id`, if it is running here.
    func session(_ id: UUID) -> Session? {
        sessions.withLock { $0[id] }
    }

    /// The recording whose ingest `engineSession` feeds now.
    func recording(ofSession engineSession: String) -> UUID? {
        sessions.withLock { $0.values.first { $0.engineSession == engineSession }?.recording }
    }

    /// Marks ingest `id` as renegotiating and returns its state then; nil when it is unknown,
    /// or busy renegotiating already.
    func beginRenegotiation(_ id: UUID) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id], !session.renegotiating else { return nil }
            session.renegotiating = true
            session.generation += 1
            sessions[id] = session
            return session
        }
    }

    /// Ingest `id`'s renegotiation ended: fed by `answer` on `engineStream` now (nil: it
    /// failed). Returns the session replaced, or nil when the ingest ended meanwhile.
    func endRenegotiation(_ id: UUID, engineStream: String?, answer: SessionAnswer?) -> Session? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            let old = session
            session.renegotiating = false
            if let engineStream, let answer {
                session.engineStream = engineStream
                session.engineSession = answer.sessionID
                session.tag = answer.tag
            }
            sessions[id] = session
            return old
        }
    }

    /// Applies a trickle or ICE-restart fragment (RFC 8840) to ingest `id`'s session.
    func patch(_ id: UUID, fragment: String) async throws(SessionRequestError) -> SessionPatchResult {
        guard let session = session(id) else { throw .unknownSession }
        let result = try await engine.patchSession(
            address(session.engineStream, session.engineSession), fragment: fragment)
        if case .restarted(_, let tag) = result {
            sessions.withLock { $0[id]?.tag = tag }
        }
        return result
    }

    /// Ends ingest `id`'s publisher session and forgets it (its recording stopped).
    func end(_ id: UUID) async {
        guard let session = sessions.withLock({ $0.removeValue(forKey: id) }) else { return }
        _ = await engine.endSession(address(session.engineStream, session.engineSession), reason: "ingest ended")
    }

    /// Ends a session that no ingest uses (a renegotiation's old one, or a new one not taken).
    func endEngineSession(stream: String, session: String, reason: String) async {
        _ = await engine.endSession(address(stream, session), reason: reason)
    }

    /// The recorder stops: no more session ends are reported.
    func finish() {
        endedSink.finish()
    }

    private func address(_ stream: String, _ session: String) -> SessionAddress {
        SessionAddress(id: session, stream: stream, role: .publisher)
    }
}
