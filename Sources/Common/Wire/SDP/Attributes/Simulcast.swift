/// `a=simulcast`: which RIDs are sent and received as simulcast streams (RFC 8853 §5.1).
///
/// `a=simulcast:send q;h;~f recv r1,r2` sends three streams (`f` starts paused) and
/// receives one stream that may use either `r1` or `r2`.
public struct Simulcast: Hashable, Sendable {
    /// One RID in a simulcast list, possibly paused.
    public struct Stream: Hashable, Sendable {
        /// The RID, matching an `a=rid` line.
        public var rid: String
        /// Written with a leading `~`: the stream is offered but starts paused.
        public var isPaused: Bool

        /// A stream from its RID.
        public init(rid: String, isPaused: Bool = false) {
            self.rid = rid
            self.isPaused = isPaused
        }
    }

    /// The streams sent: each entry is one simulcast stream, given as alternative RIDs
    /// (almost always a single one).
    public var send: [[Stream]]
    /// The streams received, in the same shape.
    public var receive: [[Stream]]

    /// A simulcast description from its two lists.
    public init(send: [[Stream]] = [], receive: [[Stream]] = []) {
        self.send = send
        self.receive = receive
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 2 || parts.count == 4 else {
            throw SDPValueError("a=simulcast needs 'send <list>' and/or 'recv <list>' (RFC 8853 §5.1)")
        }
        send = []
        receive = []
        var seen: Set<Substring> = []
        for index in stride(from: 0, to: parts.count, by: 2) {
            let direction = parts[index]
            guard direction == "send" || direction == "recv", seen.insert(direction).inserted else {
                throw SDPValueError("a=simulcast direction '\(direction)' is not a single send or recv (RFC 8853 §5.1)")
            }
            let list = try Simulcast.streams(parts[index + 1])
            if direction == "send" { send = list } else { receive = list }
        }
    }

    private static func streams(_ text: Substring) throws(SDPValueError) -> [[Stream]] {
        var list: [[Stream]] = []
        for alternatives in text.split(separator: ";", omittingEmptySubsequences: false) {
            var streams: [Stream] = []
            for id in alternatives.split(separator: ",", omittingEmptySubsequences: false) {
                let isPaused = id.hasPrefix("~")
                let rid = isPaused ? id.dropFirst() : id
                guard !rid.isEmpty else {
                    throw SDPValueError("a=simulcast has an empty RID in '\(text)' (RFC 8853 §5.1)")
                }
                streams.append(Stream(rid: String(rid), isPaused: isPaused))
            }
            list.append(streams)
        }
        return list
    }

    private static func text(_ list: [[Stream]]) -> String {
        list.map { alternatives in
            alternatives.map { ($0.isPaused ? "~" : "") + $0.rid }.joined(separator: ",")
        }.joined(separator: ";")
    }

    var attributeValue: String {
        var parts: [String] = []
        if !send.isEmpty { parts.append("send " + Simulcast.text(send)) }
        if !receive.isEmpty { parts.append("recv " + Simulcast.text(receive)) }
        return parts.joined(separator: " ")
    }
}
