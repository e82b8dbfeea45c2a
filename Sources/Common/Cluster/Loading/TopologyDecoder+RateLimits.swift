import Yams

/// `policies.rate_limits`: a mapping from request class to a rate (``RateLimit``), each written
/// `10/s burst 20`; classes left out keep their defaults.
extension TopologyDecoder {
    /// The limits, or `nil` after reporting every bad entry with its location.
    func decodeRateLimits(_ node: Node) -> RateLimits? {
        guard let fields = read.fields(node, "'rate_limits'", known: RateLimits.keys) else { return nil }
        var limits = RateLimits()
        var valid = true
        for key in RateLimits.keys {
            guard let entry = fields[key] else { continue }
            let what = "'rate_limits.\(key)'"
            guard let text = read.string(entry, what) else {
                valid = false
                continue
            }
            guard let limit = RateLimit(text: text.value) else {
                log.error("\(what) must be \(RateLimit.grammar), found '\(text.value)'", at: entry)
                valid = false
                continue
            }
            switch key {
            case "whip": limits.whip = limit
            case "whep": limits.whep = limit
            case "patch": limits.patch = limit
            default: limits.api = limit
            }
        }
        return valid ? limits : nil
    }
}
