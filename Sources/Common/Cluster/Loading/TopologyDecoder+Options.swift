import Yams

/// Decoding of the optional sections: TURN listeners, recorder storage, trusted proxies,
/// policies and edge options. Same rules as the rest: every problem is logged with its
/// location, and a section that fails returns `nil` so the topology does not load.
extension TopologyDecoder {
    static let turnKeys = ["udp", "tcp", "tls", "relay_ports", "relay_to", "allow_peers"]
    static let tlsKeys = ["port", "cert", "key"]
    static let storageKeys = ["path", "segment_seconds", "shared"]
    static let edgeKeys = ["unsubscribe_after_seconds"]
    static let policyKeys = [
        "record", "max_viewers_per_stream", "max_publishers", "streams", "declared_stream_ttl_seconds",
        "viewer_start_bitrate", "drain_deadline_seconds", "rate_limits",
    ]
    static let streamLimitKeys = ["match", "max_viewers"]

    /// Segments shorter than a second are all overhead; longer than an hour risk too much on a crash.
    static let segmentSecondsRange = 1...3600
    /// Up to an hour; 0 unsubscribes as soon as the last viewer leaves.
    static let unsubscribeSecondsRange = 0...3600
    /// At least a second (0 would forget a declaration before a viewer could use it), at most
    /// a day: longer is a stream that should be published, not declared.
    static let declaredStreamTTLRange = 1...86_400
    /// From a thin audio-only path to more than any camera layer needs.
    static let viewerStartBitrateRange = 50_000...50_000_000
    /// 0 stops at once (no drain); an hour is longer than any supervisor waits before SIGKILL.
    static let drainDeadlineRange = 0...3600

    /// The listeners and where each key's value was written, so port collisions point at it.
    func decodeTURN(_ node: Node) -> (listeners: TURNListeners, locations: [String: SourceLocation])? {
        guard let fields = read.fields(node, "'turn'", known: Self.turnKeys) else { return nil }
        var locations: [String: SourceLocation] = [:]
        for key in Self.turnKeys {
            locations[key] = fields[key].map { log.location(of: $0) }
        }
        var valid = true
        func port(_ key: String) -> UInt16? {
            guard let portNode = fields[key] else { return nil }
            let value = self.port(portNode, "'turn.\(key)'")
            valid = valid && value != nil
            return value
        }
        var listeners = TURNListeners(udpPort: port("udp"), tcpPort: port("tcp"))
        if let tlsNode = fields["tls"] {
            listeners.tls = decodeTLS(tlsNode)
            valid = valid && listeners.tls != nil
        }
        if let rangeNode = fields["relay_ports"], let text = read.string(rangeNode, "'turn.relay_ports'") {
            switch AddressSyntax.portRange(text.value) {
            case .success(let range): listeners.relayPorts = range
            case .failure(let problem):
                log.error("bad port range '\(text.value)': \(problem.message)", at: rangeNode)
                valid = false
            }
        } else if fields["relay_ports"] != nil {
            valid = false
        }
        if let modeNode = fields["relay_to"], let mode = read.string(modeNode, "'turn.relay_to'") {
            switch mode.value {
            case "self": listeners.relayToAnyPeer = false
            case "open": listeners.relayToAnyPeer = true
            default:
                log.error("'turn.relay_to' is 'self' (the default) or 'open', not '\(mode.value)'", at: modeNode)
                valid = false
            }
        } else if fields["relay_to"] != nil {
            valid = false
        }
        if let allowNode = fields["allow_peers"] {
            var blocks: [CIDRBlock] = []
            for item in read.list(allowNode, "'turn.allow_peers'") ?? [] {
                guard let text = read.string(item, "a CIDR") else { continue }
                switch AddressSyntax.cidr(text.value) {
                case .success(let block): blocks.append(block)
                case .failure(let problem):
                    log.error("malformed CIDR '\(text.value)': \(problem.message)", at: item)
                    valid = false
                }
            }
            guard listeners.relayToAnyPeer == true else {
                log.error("'turn.allow_peers' needs 'relay_to: open'", at: allowNode)
                return nil
            }
            listeners.allowPeers = blocks
        }
        if valid, listeners.udpPort == nil, listeners.tcpPort == nil, listeners.tls == nil {
            log.error("'turn' needs at least one listener: 'udp', 'tcp' or 'tls'", at: node)
            valid = false
        }
        return valid ? (listeners, locations) : nil
    }

    private func decodeTLS(_ node: Node) -> TURNTLSListener? {
        guard let fields = read.fields(node, "'turn.tls'", known: Self.tlsKeys, required: ["port", "cert", "key"])
        else { return nil }
        let port = fields["port"].flatMap { self.port($0, "'turn.tls.port'") }
        let certificate = fields["cert"].flatMap { filePath($0, "'turn.tls.cert'") }
        let key = fields["key"].flatMap { filePath($0, "'turn.tls.key'") }
        guard let port, let certificate, let key else { return nil }
        guard certificate.value != key.value else {
            log.error(
                "'turn.tls.key' names the certificate file '\(key.value)'; the private key needs its own file",
                at: key.location)
            return nil
        }
        return TURNTLSListener(port: port, certificatePath: certificate.value, keyPath: key.value)
    }

    func decodeStorage(_ node: Node) -> RecordingStorage? {
        guard let fields = read.fields(node, "'storage'", known: Self.storageKeys, required: ["path"]),
            let path = fields["path"].flatMap({ filePath($0, "'storage.path'") })
        else { return nil }
        var storage = RecordingStorage(path: path.value)
        if let secondsNode = fields["segment_seconds"] {
            guard let seconds = bounded(secondsNode, "'segment_seconds'", Self.segmentSecondsRange) else { return nil }
            storage.segmentSeconds = seconds
        }
        if let sharedNode = fields["shared"] {
            guard let shared = read.bool(sharedNode, "'storage.shared'") else { return nil }
            storage.shared = shared.value
        }
        return storage
    }

    func decodeEdgeOptions(_ node: Node) -> EdgeOptions? {
        guard let fields = read.fields(node, "'edge'", known: Self.edgeKeys) else { return nil }
        guard let secondsNode = fields["unsubscribe_after_seconds"] else { return .standard }
        return bounded(secondsNode, "'unsubscribe_after_seconds'", Self.unsubscribeSecondsRange)
            .map(EdgeOptions.init(unsubscribeAfterSeconds:))
    }

    func decodeTrustedProxies(_ node: Node) -> [Located<CIDRBlock>] {
        var blocks: [Located<CIDRBlock>] = []
        for item in read.list(node, "'trusted_proxies'") ?? [] {
            guard let text = read.string(item, "a CIDR") else { continue }
            switch AddressSyntax.cidr(text.value) {
            case .success(let block): blocks.append(Located(value: block, location: text.location))
            case .failure(let problem): log.error("malformed CIDR '\(text.value)': \(problem.message)", at: item)
            }
        }
        return blocks
    }

    /// The policies as far as they decoded; `isValid` says whether all of them did, and the
    /// stream patterns are kept either way so duplicates are still reported.
    func decodePolicies(_ node: Node) -> PoliciesDraft {
        guard let fields = read.fields(node, "'policies'", known: Self.policyKeys) else {
            return PoliciesDraft(value: .none, recordLocation: nil, isValid: false)
        }
        var valid = true
        var draft = PoliciesDraft(value: .none, recordLocation: fields["record"].map { log.location(of: $0) })
        if let recordNode = fields["record"] {
            let record = decodeRecord(recordNode)
            valid = valid && record != nil
            draft.value.record = record?.patterns ?? []
            draft.value.recordRetention = record.flatMap { $0.retention.isEmpty ? nil : $0.retention }
            draft.value.recordAllLayers = record.flatMap { $0.allLayers.isEmpty ? nil : $0.allLayers }
            draft.value.recordMP4 = record.flatMap { $0.mp4.isEmpty ? nil : $0.mp4 }
        }
        if let limitNode = fields["max_viewers_per_stream"] {
            draft.value.maxViewersPerStream = positiveCount(limitNode, "'max_viewers_per_stream'")
            valid = valid && draft.value.maxViewersPerStream != nil
        }
        if let limitNode = fields["max_publishers"] {
            draft.value.maxPublishers = positiveCount(limitNode, "'max_publishers'")
            valid = valid && draft.value.maxPublishers != nil
        }
        if let ttlNode = fields["declared_stream_ttl_seconds"] {
            draft.value.declaredStreamTTLSeconds = bounded(
                ttlNode, "'declared_stream_ttl_seconds'", Self.declaredStreamTTLRange)
            valid = valid && draft.value.declaredStreamTTLSeconds != nil
        }
        if let startNode = fields["viewer_start_bitrate"] {
            draft.value.viewerStartBitrate = bounded(
                startNode, "'viewer_start_bitrate'", Self.viewerStartBitrateRange)
            valid = valid && draft.value.viewerStartBitrate != nil
        }
        if let drainNode = fields["drain_deadline_seconds"] {
            draft.value.drainDeadlineSeconds = bounded(
                drainNode, "'drain_deadline_seconds'", Self.drainDeadlineRange)
            valid = valid && draft.value.drainDeadlineSeconds != nil
        }
        if let limitsNode = fields["rate_limits"] {
            draft.value.rateLimits = decodeRateLimits(limitsNode)
            valid = valid && draft.value.rateLimits != nil
        }
        for item in fields["streams"].flatMap({ read.list($0, "'streams'") }) ?? [] {
            guard
                let limitFields = read.fields(
                    item, "stream limit", known: Self.streamLimitKeys, required: ["match", "max_viewers"]),
                let pattern = limitFields["match"].flatMap({ read.string($0, "'match'") }).flatMap(pattern),
                let maxViewers = limitFields["max_viewers"].flatMap({ positiveCount($0, "'max_viewers'") })
            else {
                valid = false
                continue
            }
            draft.value.streamLimits.append(StreamLimit(pattern: pattern.value, maxViewers: maxViewers))
            draft.streamPatterns.append(pattern)
        }
        if fields["streams"].map({ read.list($0, "'streams'") == nil }) == true { valid = false }
        draft.isValid = valid
        return draft
    }

    /// A stream-name pattern, or `nil` after saying which characters are allowed.
    func pattern(_ text: Located<String>) -> Located<StreamPattern>? {
        guard let pattern = StreamPattern(text.value) else {
            log.error(
                "bad stream pattern '\(text.value)': use 1-128 of A-Z a-z 0-9 . _ ~ - and '*' for any characters",
                at: text.location)
            return nil
        }
        return Located(value: pattern, location: text.location)
    }

    /// A TCP or UDP port number, 1-65535.
    private func port(_ node: Node, _ what: String) -> UInt16? {
        guard let value = read.integer(node, what) else { return nil }
        guard (1...65535).contains(value.value) else {
            log.error("\(what) \(value.value) is not a port in 1-65535", at: node)
            return nil
        }
        return UInt16(value.value)
    }

    /// An integer inside a range.
    private func bounded(_ node: Node, _ what: String, _ range: ClosedRange<Int>) -> Int? {
        guard let value = read.integer(node, what) else { return nil }
        guard range.contains(value.value) else {
            log.error(
                "\(what) must be in \(range.lowerBound)-\(range.upperBound), found \(value.value)", at: node)
            return nil
        }
        return value.value
    }

    /// A file or directory path the node opens; only control characters are refused, since
    /// the file lives on the node's machine, not the one validating the topology.
    private func filePath(_ node: Node, _ what: String) -> Located<String>? {
        guard let path = read.string(node, what) else { return nil }
        guard !path.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            log.error("\(what) contains a control character", at: node)
            return nil
        }
        return path
    }
}
