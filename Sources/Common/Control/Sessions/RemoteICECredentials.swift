import MeshWire
import Synchronization

/// The client's current ICE username fragment per session, learnt from its offer and from
/// each restart. RFC 9725 §4.3 distinguishes a trickle PATCH (current ufrag) from an ICE
/// restart (a new ufrag and pwd) and makes `If-Match` mandatory only for the latter, so the
/// HTTP side must tell them apart before it hands the fragment to the engine.
final class RemoteICECredentials: Sendable {
    private struct State {
        var ufrags: [String: String] = [:]
        var pruneAt = 1024
    }

    private let state = Mutex(State())

    /// The ufrag last seen for `session`.
    func ufrag(of session: String) -> String? {
        state.withLock { $0.ufrags[session] }
    }

    /// Records `ufrag` for `session`. Returns the sessions to check for liveness when the table
    /// has grown past its pruning mark (engine-ended sessions never see a DELETE here).
    func record(_ ufrag: String, for session: String) -> [String]? {
        state.withLock { state in
            state.ufrags[session] = ufrag
            guard state.ufrags.count >= state.pruneAt else { return nil }
            state.pruneAt = max(1024, state.ufrags.count * 2)
            return Array(state.ufrags.keys)
        }
    }

    /// Forgets `session`.
    func forget(_ session: String) {
        _ = state.withLock { $0.ufrags.removeValue(forKey: session) }
    }

    /// The first `a=ice-ufrag` of an offer (session level, else the first media section that has one).
    static func ufrag(ofOffer sdp: String) -> String? {
        guard let description = try? SessionDescription(parsing: sdp) else { return nil }
        return description.iceUfrag ?? description.media.lazy.compactMap(\.iceUfrag).first
    }

    /// The first `a=ice-ufrag` of an sdpfrag (RFC 8840 §4.4).
    static func ufrag(of fragment: TrickleICEFragment) -> String? {
        fragment.iceUfrag ?? fragment.sections.lazy.compactMap(\.iceUfrag).first
    }
}
