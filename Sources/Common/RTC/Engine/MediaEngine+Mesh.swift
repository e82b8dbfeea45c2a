import MeshCluster
import MeshRuntime

extension MediaEngine: MeshDataPlane {
    // MARK: Upstream end

    public func acceptLink(_ request: LinkSetupRequest) async throws(LinkError) -> LinkSetupResponse {
        try checkRunningForLinks()
        let peer = try socketAddress(request.downstreamAddress)
        let media = pickLinkWorker()
        let id = SessionIdentifier.generate()
        let sender: LinkSender
        do {
            sender = try LinkSender(
                keys: request.keys, linkSSRC: .random(in: 1...UInt32.max), configuration: senderLinkConfiguration)
        } catch {
            throw .invalid("the link keys do not make an SRTP context: \(error)")
        }
        let end = LinkEnd(
            id: id, peerNode: request.downstreamNode, peer: peer, peerAddress: request.downstreamAddress,
            half: .sending(LinkSendingHalf(sender: sender)), now: clock.now())
        end.testDropRate = testLinkDrops.withLock { $0[request.downstreamNode] } ?? 0
        linkWorkers.withLock { $0[id] = media.index }
        try await run(on: media) { media.addLink(end) }
        logger.info(
            "relay link \(id) accepted: sending to \(request.downstreamNode) at \(peer) from worker \(media.index)")
        return LinkSetupResponse(
            linkID: id, upstreamNode: nodeID,
            upstreamAddress: LinkAddress(host: configuration.announceIP, port: media.port), keys: request.keys)
    }

    public func forward(stream: String, tracks: [UInt32], onLink linkID: String) async throws(LinkError) {
        guard let carried = registry.carried(stream) else { throw .unknownStream(stream) }
        let media = try worker(ofLink: linkID)
        let ssrcs = Set(tracks)
        try await run(on: media) { () throws(LinkError) in
            guard let end = media.links.byID[linkID] else { throw .unknownLink(linkID) }
            try media.links.startForwarding(stream: carried.stream, tracks: carried.tracks, ssrcs: ssrcs, on: end)
        }
        logger.info("relay link \(linkID): forwarding '\(stream)' (\(tracks.count) SSRCs)")
    }

    public func stopForwarding(stream: String, onLink linkID: String) async throws(LinkError) {
        let media = try worker(ofLink: linkID)
        try await run(on: media) { () throws(LinkError) in
            guard let end = media.links.byID[linkID], case .sending(let sending) = end.half else {
                throw .unknownLink(linkID)
            }
            media.links.stopForwarding(stream, on: end, sending: sending)
        }
        logger.info("relay link \(linkID): stopped forwarding '\(stream)'")
    }

    // MARK: Downstream end

    public func prepareUpstreamLink(to upstreamNode: String) async throws(LinkError) -> LinkSetupRequest {
        try checkRunningForLinks()
        let media = pickLinkWorker()
        return LinkSetupRequest(
            downstreamNode: nodeID, upstreamNode: upstreamNode,
            downstreamAddress: LinkAddress(host: configuration.announceIP, port: media.port),
            keys: LinkKeys.generate())
    }

    public func openUpstreamLink(_ request: LinkSetupRequest, accepted: LinkSetupResponse)
        async throws(LinkError) -> String
    {
        try checkRunningForLinks()
        guard accepted.keys == request.keys else { throw .invalid("the upstream node answered with other keys") }
        let index = Int(request.downstreamAddress.port) - Int(configuration.firstPort)
        guard workers.indices.contains(index), request.downstreamNode == nodeID else {
            throw .invalid("the request was not prepared by this node")
        }
        let media = workers[index]
        let peer = try socketAddress(accepted.upstreamAddress)
        let now = clock.now()
        let receiver: LinkReceiver
        do {
            receiver = try LinkReceiver(
                keys: request.keys, linkSSRC: .random(in: 1...UInt32.max), now: now,
                configuration: receiverLinkConfiguration)
        } catch {
            throw .invalid("the link keys do not make an SRTP context: \(error)")
        }
        let end = LinkEnd(
            id: accepted.linkID, peerNode: accepted.upstreamNode, peer: peer, peerAddress: accepted.upstreamAddress,
            half: .receiving(LinkReceivingHalf(receiver: receiver)), now: now)
        linkWorkers.withLock { $0[accepted.linkID] = index }
        sessions.withLock { $0.upstreamLinkOpened(accepted.linkID, on: index) }
        try await run(on: media) { media.addLink(end) }
        logger.info(
            "relay link \(accepted.linkID) open: receiving from \(accepted.upstreamNode) at \(peer) on worker \(index)")
        return accepted.linkID
    }

    public func receive(_ record: StreamRecord, overLink linkID: String) async throws(LinkError) {
        let media = try worker(ofLink: linkID)
        let peerNode = try await run(on: media) { () throws(LinkError) -> String in
            guard let end = media.links.byID[linkID], case .receiving = end.half else { throw .unknownLink(linkID) }
            return end.peerNode
        }
        var failure: LinkError?
        let fed = try registry.linkFed(record, link: (linkID, peerNode)) {
            do throws(LinkError) {
                return try MeshTrackCatalog.tracks(from: record)
            } catch {
                failure = error
                return []
            }
        }
        if let failure { throw failure }
        // The tracks leave the old link (if another one fed them) before the new one feeds them:
        // one writer per history at a time.
        if let previous = fed.previousLink, previous != linkID, let old = try? worker(ofLink: previous) {
            _ = try? await old.loop.run { old.links.unroute(fed.tracks, fromLink: previous) }
        }
        try await run(on: media) { () throws(LinkError) in
            guard let end = media.links.byID[linkID], case .receiving(let receiving) = end.half else {
                throw .unknownLink(linkID)
            }
            // Tracks fed before by another link (or by one since lost: a failover): a move.
            let moved = !fed.isNew && fed.previousLink != linkID
            media.links.route(fed.tracks, of: fed.stream, into: receiving, moved: moved)
        }
        if fed.isNew {
            for worker in workers {
                worker.loop.post {
                    worker.follow(fed.stream, to: fed.tracks)
                }
            }
        }
        logger.info(
            "receiving '\(record.name)' from \(peerNode) over relay link \(linkID)",
            metadata: ["tracks": "\(record.tracks.count)", "from": "\(fed.previousLink ?? "nothing")"])
    }

    public func stopReceiving(stream: String) async {
        let tracks = registry.dropReceived(stream, now: clock.now())
        guard !tracks.isEmpty else { return }
        for media in workers {
            _ = try? await media.loop.run {
                for end in media.links.byID.values {
                    guard case .receiving = end.half else { continue }
                    media.links.unroute(tracks, fromLink: end.id)
                }
            }
        }
        logger.info("stopped receiving '\(stream)'")
    }

    // MARK: Both ends

    public func closeLink(_ linkID: String, reason: String) async -> Bool {
        guard let media = try? worker(ofLink: linkID) else { return false }
        return
            (try? await media.loop.run { () -> Bool in
                guard let end = media.links.byID[linkID] else { return false }
                media.links.close(end, reason: reason)
                return true
            }) ?? false
    }

    public func setTestLinkDrop(toNode downstreamNode: String, rate: Double) async -> Int {
        let rate = min(max(rate, 0), 1)
        testLinkDrops.withLock { $0[downstreamNode] = rate }
        var applied = 0
        for media in workers {
            applied +=
                (try? await media.loop.run { () -> Int in
                    var count = 0
                    for end in media.links.byID.values where end.peerNode == downstreamNode {
                        guard case .sending = end.half else { continue }
                        end.testDropRate = rate
                        count += 1
                    }
                    return count
                }) ?? 0
        }
        logger.warning(
            "test fault: dropping \(rate * 100) % of first transmissions to \(downstreamNode) (\(applied) open links)")
        return applied
    }

    public func carriedStream(_ stream: String) async -> StreamRecord? {
        registry.carried(stream)?.record
    }

    public func meshStatus() async -> MeshDataStatus {
        var links: [LinkSnapshot] = []
        for media in workers {
            links += (try? await media.loop.run { media.links.snapshots() }) ?? []
        }
        var downstream: [String: [String]] = [:]
        for link in links where link.end == .upstream {
            for stream in link.streams { downstream[stream, default: []].append(link.id) }
        }
        let streams = registry.carriedSnapshot().map { entry in
            let source: CarriedStreamSnapshot.Source =
                entry.publisher
                ? .publisher : entry.link.map { .link(linkID: $0.id, upstreamNode: $0.upstreamNode) } ?? .none
            return CarriedStreamSnapshot(
                record: entry.record, source: source, viewers: entry.viewers,
                downstreamLinks: downstream[entry.record.name] ?? [], taps: entry.taps)
        }
        return MeshDataStatus(links: links.sorted { $0.id < $1.id }, streams: streams)
    }

    // MARK: Helpers

    /// Link ends run the presets (`LinkConfiguration.downstreamEnd`/`.upstreamEnd`, values in
    /// RTC/README.md) with the node's ``MediaEngineConfiguration/linkLivenessTimeout``: the
    /// downstream end calls the link down after it, the upstream end reports the downstream node
    /// quiet after it, so placement can stop choosing a dead node.
    var receiverLinkConfiguration: LinkConfiguration {
        .downstreamEnd(livenessTimeout: configuration.linkLivenessTimeout)
    }

    var senderLinkConfiguration: LinkConfiguration {
        .upstreamEnd(quietTimeout: configuration.linkLivenessTimeout)
    }

    private func checkRunningForLinks() throws(LinkError) {
        guard running.load(ordering: .acquiring) else { throw .unavailable("the node is not running") }
    }

    private func worker(ofLink id: String) throws(LinkError) -> WorkerMedia {
        guard let index = linkWorkers.withLock({ $0[id] }) else { throw .unknownLink(id) }
        return workers[index]
    }

    private func socketAddress(_ address: LinkAddress) throws(LinkError) -> SocketAddress {
        do {
            return address.host.contains(":")
                ? try SocketAddress(ipv6: address.host, port: address.port)
                : try SocketAddress(ipv4: address.host, port: address.port)
        } catch {
            throw .invalid("'\(address.host)' port \(address.port) is not a literal IP address and port")
        }
    }

    /// Runs `body` on `media`'s worker, keeping the typed error.
    private func run<T: Sendable>(on media: WorkerMedia, _ body: @escaping @Sendable () throws(LinkError) -> T)
        async throws(LinkError) -> T
    {
        let result: Result<T, LinkError>
        do {
            result = try await media.loop.run { () -> Result<T, LinkError> in
                do throws(LinkError) { return .success(try body()) } catch { return .failure(error) }
            }
        } catch {
            throw .unavailable("the worker is not running")
        }
        return try result.get()
    }
}
