import MeshRTC
import Synchronization

/// A stand-in for the media engine: it answers from scripted state and records every call,
/// so that the routes can be checked without sockets or workers.
final class RecordingNodeControl: MediaNodeControl {
    /// One call the routes made.
    enum Call: Equatable {
        case publish(stream: String, offer: String, client: String)
        case view(stream: String, offer: String, client: String, options: ViewerOptions)
        case endSession(id: String, reason: String)
        case patchSession(id: String, fragment: String)
        case declareStream(String)
    }

    /// What the engine will do.
    struct Script {
        var publishError: SessionRequestError?
        var viewError: SessionRequestError?
        var patchError: SessionRequestError?
        /// Session id -> current ICE generation tag.
        var sessions: [String: String] = [:]
        var nextSession = 1
        var ready = true
        var metrics = NodeMetrics()
        var streams: [StreamSnapshot] = []
        /// The tag a restart moves the session to.
        var restartTag = "gen-2"
    }

    let nodeID = "origin-1"
    let role = "origin"
    private let state: Mutex<(script: Script, calls: [Call])>

    init(_ script: Script = Script()) {
        state = Mutex((script, []))
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func update(_ change: (inout Script) -> Void) {
        state.withLock { change(&$0.script) }
    }

    private func record(_ call: Call) -> Script {
        state.withLock { state in
            state.calls.append(call)
            return state.script
        }
    }

    private func newSession() -> SessionAnswer {
        state.withLock { state in
            let id = "s\(state.script.nextSession)"
            state.script.nextSession += 1
            state.script.sessions[id] = "gen-1"
            return SessionAnswer(sessionID: id, sdp: "v=0\r\nanswer-for-\(id)\r\n", tag: "gen-1")
        }
    }

    func publish(stream: String, offer: String, client: String) async throws(SessionRequestError) -> SessionAnswer {
        if let error = record(.publish(stream: stream, offer: offer, client: client)).publishError { throw error }
        return newSession()
    }

    func view(stream: String, offer: String, client: String, options: ViewerOptions) async throws(SessionRequestError)
        -> SessionAnswer
    {
        if let error = record(.view(stream: stream, offer: offer, client: client, options: options)).viewError {
            throw error
        }
        return newSession()
    }

    func endSession(id: String, reason: String) async -> Bool {
        _ = record(.endSession(id: id, reason: reason))
        return state.withLock { $0.script.sessions.removeValue(forKey: id) != nil }
    }

    /// A fragment without candidates restarts ICE here (the real engine compares ufrags).
    func patchSession(id: String, fragment: String) async throws(SessionRequestError) -> SessionPatchResult {
        let script = record(.patchSession(id: id, fragment: fragment))
        if let error = script.patchError { throw error }
        guard script.sessions[id] != nil else { throw .unknownSession }
        if !fragment.contains("a=candidate:") {
            state.withLock { $0.script.sessions[id] = script.restartTag }
            return .restarted(
                fragment: "a=ice-ufrag:srv2\r\na=ice-pwd:serverpassword2serverpass\r\n", tag: script.restartTag)
        }
        return .trickled
    }

    func sessionTag(id: String) async -> String? {
        state.withLock { $0.script.sessions[id] }
    }

    func declareStream(_ stream: String) async {
        _ = record(.declareStream(stream))
    }

    func health() async -> NodeHealth {
        let script = state.withLock { $0.script }
        return NodeHealth(
            node: nodeID, role: role, workers: 2, sessions: script.sessions.count, streams: script.streams.count)
    }

    func metrics() async -> NodeMetrics { state.withLock { $0.script.metrics } }
    func streams() async -> [StreamSnapshot] { state.withLock { $0.script.streams } }
    func isReady() async -> Bool { state.withLock { $0.script.ready } }
}
