import MeshWire

/// What a WHIP/WHEP `PATCH` body (`application/trickle-ice-sdpfrag`, RFC 8840 §9) carries.
public struct TrickleICEUpdate: Sendable, Hashable {
    /// `a=ice-ufrag` of the fragment, session- or media-level, if present.
    public var ufrag: String?
    /// `a=ice-pwd` of the fragment, if present.
    public var password: String?
    /// The candidates of every section, in order.
    public var candidates: [ICECandidate]
    /// Whether the fragment says `a=end-of-candidates` (RFC 8840 §8.2).
    public var isComplete: Bool

    /// An update from its fields.
    public init(ufrag: String?, password: String?, candidates: [ICECandidate], isComplete: Bool) {
        self.ufrag = ufrag
        self.password = password
        self.candidates = candidates
        self.isComplete = isComplete
    }

    /// Whether the fragment restarts ICE: it carries a ufrag other than the current remote one
    /// (RFC 8839 §4.4.1.1.1, RFC 9725 §4.3.2).
    public func isRestart(currentRemoteUfrag: String) -> Bool {
        ufrag.map { $0 != currentRemoteUfrag } ?? false
    }
}

/// The node's reply to an ICE restart: the new remote credentials and the answer fragment.
public struct ICERestartAnswer: Sendable, Hashable {
    /// The client's new `a=ice-ufrag`.
    public var remoteUfrag: String
    /// The client's new `a=ice-pwd`.
    public var remotePassword: String
    /// The candidates the client sent with the restart.
    public var remoteCandidates: [ICECandidate]
    /// The `application/trickle-ice-sdpfrag` body of the `200 OK`, with our new credentials and
    /// candidates.
    public var fragment: String

    /// An answer from its fields.
    public init(remoteUfrag: String, remotePassword: String, remoteCandidates: [ICECandidate], fragment: String) {
        self.remoteUfrag = remoteUfrag
        self.remotePassword = remotePassword
        self.remoteCandidates = remoteCandidates
        self.fragment = fragment
    }
}

extension SessionNegotiator {
    /// Reads a `PATCH` body. Throws ``NegotiationError/malformed(_:)`` when it is not a valid
    /// trickle-ICE fragment.
    public func readTrickleFragment(_ text: String) throws(NegotiationError) -> TrickleICEUpdate {
        let fragment = try Self.parseFragment(text)
        let places: [any SDPAttributeCarrying] = [fragment] + fragment.sections
        return TrickleICEUpdate(
            ufrag: places.lazy.compactMap(\.iceUfrag).first, password: places.lazy.compactMap(\.icePwd).first,
            candidates: fragment.sections.flatMap(\.candidates),
            isComplete: places.contains { $0.hasEndOfCandidates })
    }

    /// Answers an ICE restart `PATCH` (RFC 9725 §4.3.2, RFC 8840 §9): reads the client's new
    /// credentials and candidates, and writes the answer fragment with our new `localUfrag`
    /// and `localPassword` and our host `candidates`, all complete (`a=end-of-candidates`).
    ///
    /// The answer repeats the client's `a=group:BUNDLE` and its first media section's `m=`
    /// line and mid, under which it puts our credentials and candidates, as in RFC 9725's
    /// example. Throws ``NegotiationError/missingICECredentials`` when the fragment has no
    /// new ufrag and pwd, and ``NegotiationError/malformed(_:)`` when it has no media section.
    public func restartAnswerFragment(
        fragment text: String, localUfrag: String, localPassword: String, candidates: [LocalCandidate]
    ) throws(NegotiationError) -> ICERestartAnswer {
        let fragment = try Self.parseFragment(text)
        let update = try readTrickleFragment(text)
        guard let ufrag = update.ufrag, let password = update.password else { throw .missingICECredentials }
        try RemoteTransport.check(ufrag, "a=ice-ufrag", length: 4...256)
        try RemoteTransport.check(password, "a=ice-pwd", length: 22...256)
        guard let section = fragment.sections.first, let mid = section.mid else {
            throw .malformed("its end: an ICE restart fragment needs a media section with a=mid (RFC 8840 §9)")
        }
        let answer = TrickleICEFragment(
            attributes: [.iceLite] + fragment.groups.filter { $0.semantics == "BUNDLE" }.map(SDPAttribute.group),
            sections: [
                .init(
                    mediaLine: section.mediaLine,
                    attributes: [.mid(mid), .iceUfrag(localUfrag), .icePwd(localPassword)]
                        + LocalCandidate.attributes(candidates) + [.endOfCandidates])
            ])
        return ICERestartAnswer(
            remoteUfrag: ufrag, remotePassword: password, remoteCandidates: update.candidates,
            fragment: answer.serialized)
    }

    private static func parseFragment(_ text: String) throws(NegotiationError) -> TrickleICEFragment {
        do {
            return try TrickleICEFragment(parsing: text)
        } catch {
            throw .malformed(error.description)
        }
    }
}
