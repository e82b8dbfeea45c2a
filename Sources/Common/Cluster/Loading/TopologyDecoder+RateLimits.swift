import Yams

/// `policies.rate_limits`: a mapping from request class to a rate (``RateLimit``, written
/// `10/s burst 20`) for both its address and token limits, or to `{address: ..., token: ...}`
/// (either may be left out: it keeps its default); classes left out keep their defaults.
extension TopologyDecoder {
    /// The limits, or `nil` after reporting every bad entry with its location.
    func decodeRateLimits(_ node: Node) -> RateLimits? {
        guard let fields = read.fields(node, "'rate_limits'", known: RateLimits.keys) else { return nil }
        var limits = RateLimits()
        var valid = true
        for key in RateLimits.keys {
            guard let entry = fields[key] else { continue }
            let what = "'rate_limits.\(key)'"
            let defaults = limit(of: key, in: limits)
            guard let pair = decodeRatePair(entry, what, defaults: defaults) else {
                valid = false
                continue
            }
            switch key {
            case "whip": limits.whip = pair
            case "whep": limits.whep = pair
            case "patch": limits.patch = pair
            default: limits.api = pair
            }
        }
        return valid ? limits : nil
    }

    private func limit(of key: String, in limits: RateLimits) -> RateLimitPair {
        switch key {
        case "whip": limits.whip
        case "whep": limits.whep
        case "patch": limits.patch
        default: limits.api
        }
    }

    private func decodeRatePair(_ node: Node, _ what: String, defaults: RateLimitPair) -> RateLimitPair? {
        guard case .mapping = node else { return rate(node, what).map { RateLimitPair(both: $0) } }
        guard let fields = read.fields(node, what, known: ["address", "token"]) else { return nil }
        var pair = defaults
        var valid = true
        if let address = fields["address"] {
            if let limit = rate(address, "\(what.dropLast()).address'") { pair.address = limit } else { valid = false }
        }
        if let token = fields["token"] {
            if let limit = rate(token, "\(what.dropLast()).token'") { pair.token = limit } else { valid = false }
        }
        return valid ? pair : nil
    }

    private func rate(_ node: Node, _ what: String) -> RateLimit? {
        guard let text = read.string(node, what) else { return nil }
        guard let limit = RateLimit(text: text.value) else {
            log.error("\(what) must be \(RateLimit.grammar), found '\(text.value)'", at: node)
            return nil
        }
        return limit
    }
}
