/// Maps a client to a region: an explicit `region` parameter when it names one, else the
/// client address (the first `X-Forwarded-For` entry when the peer is a trusted proxy, the
/// peer address otherwise) by longest-prefix match over the topology's CIDR blocks.
public struct RegionResolver: Sendable {
    /// Blocks grouped by prefix length (128-bit form), longest first: a lookup is one hash
    /// probe per distinct length, however many blocks the topology lists.
    private let tables: [(prefixLength: Int, regionByNetwork: [IPAddressValue: (region: String, block: String)])]
    private let regionNames: Set<String>
    private let trustedProxies: [IPNetwork]

    /// Indexes the topology's region blocks. `trustedProxies` are the networks whose
    /// `X-Forwarded-For` header is believed; from any other peer the header is ignored,
    /// because a client could otherwise pick its region (and its edge) by forging it.
    public init(topology: Topology, trustedProxies: [IPNetwork] = []) {
        var byLength: [Int: [IPAddressValue: (region: String, block: String)]] = [:]
        for region in topology.regions {
            for block in region.cidrs {
                guard let network = IPNetwork(block) else { continue }
                // The first region listing a block keeps it, as the file reads top to bottom.
                if byLength[network.prefixLength]?[network.network] == nil {
                    byLength[network.prefixLength, default: [:]][network.network] = (region.name, block.description)
                }
            }
        }
        tables = byLength.keys.sorted(by: >).map { ($0, byLength[$0] ?? [:]) }
        regionNames = Set(topology.regions.map(\.name))
        self.trustedProxies = trustedProxies
    }

    /// The region whose most specific block holds the address, with that block.
    public func region(containing address: IPAddressValue) -> (region: String, block: String)? {
        for table in tables {
            if let hit = table.regionByNetwork[address.masked(toLeading: table.prefixLength)] { return hit }
        }
        return nil
    }

    /// Decides the client's region for one request.
    public func resolve(_ request: ClientRequest) -> RegionDecision {
        var steps: [String] = []
        if let wanted = request.regionParameter {
            if regionNames.contains(wanted) {
                return RegionDecision(
                    region: wanted, source: .parameter, clientAddress: nil,
                    steps: [
                        "region parameter '\(wanted)' names a topology region: it wins"
                    ])
            }
            steps.append("region parameter '\(wanted)' ignored: no such region")
        }
        guard let peerText = request.peerAddress else {
            steps.append("no client address given")
            return RegionDecision(
                region: nil, source: nil, clientAddress: nil, steps: steps, reason: "no client address")
        }
        guard let peer = IPAddressValue(text: peerText) else {
            steps.append("peer address '\(peerText)' is not an IP address")
            return RegionDecision(
                region: nil, source: nil, clientAddress: nil, steps: steps,
                reason: "peer address '\(peerText)' is not an IP address")
        }
        var client = peer
        var source = RegionDecision.Source.peerAddress
        if let header = request.forwardedFor {
            if let proxy = trustedProxies.first(where: { $0.contains(peer) }) {
                let first = header.split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
                if let forwarded = IPAddressValue(text: first) {
                    client = forwarded
                    source = .forwardedFor
                    steps.append(
                        "peer \(peerText) is a trusted proxy (\(proxy)): client is X-Forwarded-For's first address \(forwarded)"
                    )
                } else {
                    steps.append(
                        "X-Forwarded-For's first entry '\(first)' is not an IP address: using the peer \(peerText)")
                }
            } else {
                steps.append("X-Forwarded-For ignored: peer \(peerText) is not a trusted proxy")
            }
        }
        guard let hit = region(containing: client) else {
            steps.append("\(client) is in no region's CIDR blocks")
            return RegionDecision(
                region: nil, source: source, clientAddress: client, steps: steps,
                reason: "client address \(client) is in no region's CIDR blocks")
        }
        steps.append("\(client) is in \(hit.block) (longest matching prefix): region \(hit.region)")
        return RegionDecision(region: hit.region, source: source, clientAddress: client, steps: steps)
    }
}

/// What placement knows about an HTTP client: its peer address, the proxy header and the
/// `region` query parameter, as they arrived.
public struct ClientRequest: Sendable, Equatable {
    /// The address the TCP connection came from (IPv4 or IPv6 text).
    public var peerAddress: String?
    /// The raw `X-Forwarded-For` header, if any.
    public var forwardedFor: String?
    /// The `region` query parameter, if any.
    public var regionParameter: String?

    /// Creates a request description.
    public init(peerAddress: String? = nil, forwardedFor: String? = nil, regionParameter: String? = nil) {
        self.peerAddress = peerAddress
        self.forwardedFor = forwardedFor
        self.regionParameter = regionParameter
    }
}

/// The region a client was mapped to, or why none was, with the steps that led there.
public struct RegionDecision: Sendable, Equatable {
    /// Where the answer came from.
    public enum Source: String, Sendable, Equatable {
        /// The explicit `region` query parameter.
        case parameter
        /// The first `X-Forwarded-For` address, from a trusted proxy.
        case forwardedFor
        /// The connection's peer address.
        case peerAddress
    }

    /// The region, or `nil` when the client could not be mapped.
    public var region: String?
    /// Which input decided, if any did.
    public var source: Source?
    /// The address that was looked up, if one was.
    public var clientAddress: IPAddressValue?
    /// Human-readable steps of the decision, in order.
    public var steps: [String]
    /// Why there is no region, when there is none.
    public var reason: String?

    /// Creates a decision.
    public init(
        region: String?, source: Source?, clientAddress: IPAddressValue?, steps: [String], reason: String? = nil
    ) {
        self.region = region
        self.source = source
        self.clientAddress = clientAddress
        self.steps = steps
        self.reason = reason
    }
}
