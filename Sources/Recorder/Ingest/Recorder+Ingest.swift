import Foundation
import MeshRTC

/// Why a direct ingest request failed; each case is one HTTP status.
enum IngestError: Error, CustomStringConvertible {
    /// The engine refused the offer or the session (400, 404, 503: ``SessionRequestError``).
    case session(SessionRequestError)
    /// The recorder refused the recording (409, 503, 507: ``RecorderError``).
    case recorder(RecorderError)
    /// No ingest session has this id here (404).
    case unknownSession
    /// A renegotiation of this session is under way already (409).
    case busy

    var description: String {
        switch self {
        case .session(let error): error.description
        case .recorder(let error): error.description
        case .unknownSession: "no ingest session with this id on this recorder"
        case .busy: "the session is being renegotiated already; try again when that is answered"
        }
    }
}

/// Direct ingest: a client publishes straight to this recorder, which records it.
extension Recorder {
    /// Records `stream` from a client's WHIP `offer`: a publisher session of this node alone
    /// (``DirectIngests``), tapped and written like a relayed stream. Returns the recording
    /// (whose id names the ingest session) and the engine's answer.
    func ingest(stream: String, offer: String, client: String) async throws(IngestError) -> (UUID, SessionAnswer) {
        if let full = storageRefusal { throw .recorder(.storageFull(full)) }
        if let running = recordings.first(where: { $0.stream == stream }) {
            throw .recorder(.alreadyRecording(running.id))
        }
        let key = UUID()
        let engineStream = DirectIngests.engineStream(key, generation: 0)
        let (answer, tap): (SessionAnswer, StreamTap)
        do {
            (answer, tap) = try await ingests.open(engineStream: engineStream, offer: offer, client: client)
        } catch {
            throw .session(error)
        }
        let id: UUID
        do {
            id = try await begin(stream: stream, tap: tap, policy: nil, layers: .top, direct: true)
        } catch {
            await ingests.endEngineSession(stream: engineStream, session: answer.sessionID, reason: "not recorded")
            throw .recorder(error)
        }
        ingests.add(
            DirectIngests.Session(
                recording: id, stream: stream, engineStream: engineStream, engineSession: answer.sessionID,
                tag: answer.tag, generation: 0))
        // A session that ended before it was listed here went unnoticed by the recorder's watch.
        if await engine.liveSessionIDs(among: [answer.sessionID]).isEmpty {
            await stop(id, reason: "the ingest's publisher left")
        }
        return (id, answer)
    }

    /// Renegotiates ingest `id` with a new full `offer` (new tracks, or a client that
    /// reconnected): a new publisher session, whose tap the recording moves to (a new segment),
    /// then the old session ends. The recording goes on throughout.
    func renegotiate(_ id: UUID, offer: String, client: String) async throws(IngestError) -> SessionAnswer {
        guard ingests.session(id) != nil else { throw .unknownSession }
        guard let session = ingests.beginRenegotiation(id) else { throw .busy }
        let engineStream = DirectIngests.engineStream(id, generation: session.generation)
        let answer: SessionAnswer
        let tap: StreamTap
        do {
            (answer, tap) = try await ingests.open(engineStream: engineStream, offer: offer, client: client)
        } catch {
            _ = ingests.endRenegotiation(id, engineStream: nil, answer: nil)
            throw .session(error)
        }
        guard await switchTap(of: id, to: tap) else {
            await engine.removeTap(tap)
            await ingests.endEngineSession(stream: engineStream, session: answer.sessionID, reason: "ingest ended")
            _ = ingests.endRenegotiation(id, engineStream: nil, answer: nil)
            throw .unknownSession
        }
        guard let old = ingests.endRenegotiation(id, engineStream: engineStream, answer: answer) else {
            // Stopped while switching: the new session and its tap are nobody's.
            await engine.removeTap(tap)
            await ingests.endEngineSession(stream: engineStream, session: answer.sessionID, reason: "ingest ended")
            throw .unknownSession
        }
        await ingests.endEngineSession(stream: old.engineStream, session: old.engineSession, reason: "renegotiated")
        return answer
    }
}
