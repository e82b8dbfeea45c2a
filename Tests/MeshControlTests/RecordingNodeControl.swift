import MeshRTC
import Synchronization

/// A stand-in for the media engine: it answers from scripted state and records every call,
/// so that the routes can be checked without sockets or workers. Like the engine, it finds a
/// session only at its full address (id, stream and role).
final class RecordingNodeControl: MediaNodeControl {
    /// One call the routes made.
    enum Call: Equatable {
        case publish(stream: String, offer: String, client: String)
        case view(stream: String, offer: String, client: String, options: ViewerOptions)
        case endSession(SessionAddress, reason: String)
        case patchSession(SessionAddress, fragment: String)
        case declareStream(String)
    }

    /// What the engine will do.
    struct Script {
        var publishError: SessionRequestError?
        var viewError: SessionRequestError?
        var patchError: SessionRequestError?
        /// Session address -> current ICE generation tag.
        var sessions: [SessionAddress: String] = [:]
        var nextSession = 1
        var ready = true
        var liveness = NodeLiveness(workers: [])
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

    /// The live sessions and their tags now.
    var sessions: [SessionAddress: String] { state.withLock { $0.script.sessions } }

    func update(_ change: (inout Script) -> Void) {
        state.withLock { change(&$0.script) }
    }

    private func record(_ call: Call) -> Script {
        state.withLock { state in
            state.calls.append(call)
            return state.script
        }
    }

    private func newSession(stream: String, role: NegotiationRole) -> SessionAnswer {
        state.withLock { state in
            let id = "s\(state.script.nextSession)"
            state.script.nextSession += 1
            state.script.sessions[SessionAddress(id: id, stream: stream, role: role)] = "gen-1"
            return SessionAnswer(sessionID: id, sdp: "v=0\r\nanswer-for-\(id)\r\n", tag: "gen-1")
        }
    }

    func publish(stream: String, offer: String, client: String) async throws(SessionRequestError) -> SessionAnswer {
        if let error = record(.publish(stream: stream, offer: offer, client: client)).publishError { throw error }
        return newSession(stream: stream, role: .publisher)
    }

    func view(stream: String, offer: String, client: String, options: ViewerOptions) async throws(SessionRequestError)
        -> SessionAnswer
    {
        if let error = record(.view(stream: stream, offer: offer, client: client, options: options)).viewError {
            throw error
        }
        return newSession(stream: stream, role: .viewer)
    }

    func endSession(_ address: SessionAddress, reason: String) async -> Bool {
        _ = record(.endSession(address, reason: reason))
        return state.withLock { $0.script.sessions.removeValue(forKey: address) != nil }
    }

    /// A fragment without candidates restarts ICE here (the real engine compares ufrags).
    func patchSession(_ address: SessionAddress, fragment: String) async throws(SessionRequestError)
        -> SessionPatchResult
    {
        let script = record(.patchSession(address, fragment: fragment))
        if let error = script.patchError { throw error }
        guard script.sessions[address] != nil else { throw .unknownSession }
        if !fragment.contains("a=candidate:") {
            state.withLock { $0.script.sessions[address] = script.restartTag }
            return .restarted(
                fragment: "a=ice-ufrag:srv2\r\na=ice-pwd:serverpassword2serverpass\r\n", tag: script.restartTag)
        }
        return .trickled
    }

    func sessionTag(_ address: SessionAddress) async -> String? {
        state.withLock { $0.script.sessions[address] }
    }

    func liveSessionIDs(among ids: [String]) async -> Set<String> {
        let live = state.withLock { Set($0.script.sessions.keys.map(\.id)) }
        return live.intersection(ids)
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

    func liveness() async -> NodeLiveness { state.withLock { $0.script.liveness } }
}
