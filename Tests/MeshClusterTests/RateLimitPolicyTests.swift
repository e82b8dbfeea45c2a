import MeshCluster
import Testing

/// `policies.rate_limits` (issue 15, item 4): defaults, one rate for both limits of a class or
/// a mapping for each, errors with file:line, and a change that needs a restart.
@Suite struct RateLimitPolicyTests {
    @Test func withoutTheKeyTheDefaultsApply() throws {
        let loaded = try PolicyTopology.load([])
        #expect(loaded.policies.rateLimits == nil)
        #expect(loaded.policies.effectiveRateLimits == RateLimits())
        #expect(RateLimits().whep.address == RateLimit(requests: 100, periodSeconds: 1, burst: 200))
    }

    @Test func aRateForBothOrAMappingForEach() throws {
        let loaded = try PolicyTopology.load([
            "policies:", "  rate_limits:", "    whip: 1/s burst 3", "    whep: {token: 50/min}",
        ])
        let limits = loaded.policies.effectiveRateLimits
        #expect(limits.whip == RateLimitPair(both: RateLimit(requests: 1, periodSeconds: 1, burst: 3)))
        #expect(limits.whep.address == RateLimits().whep.address)
        #expect(limits.whep.token == RateLimit(requests: 50, periodSeconds: 60, burst: 50))
        #expect(limits.patch == RateLimits().patch)
    }

    @Test func badRatesAndKeysPointAtTheirLine() {
        #expect(
            PolicyTopology.reported(["policies:", "  rate_limits: {whep: 10 per second}"]) == [
                Reported(
                    13, 23,
                    "'rate_limits.whep' must be \(RateLimit.grammar), found '10 per second'")
            ])
        #expect(
            PolicyTopology.reported(["policies:", "  rate_limits:", "    whep: {address: 0/s}"]) == [
                Reported(14, 21, "'rate_limits.whep.address' must be \(RateLimit.grammar), found '0/s'")
            ])
        #expect(
            PolicyTopology.reported(["policies:", "  rate_limits: {whop: 1/s}"]).first?.message.hasPrefix(
                "unknown key 'whop'") == true
        )
    }

    @Test func changingALimitNeedsARestart() throws {
        let running = try PolicyTopology.load([])
        let target = try PolicyTopology.load(["policies: {rate_limits: {api: 5/s}}"])
        let fields = TopologyPlan(from: running, to: target).changes.flatMap(\.fields)
        #expect(fields.map(\.name) == ["rate_limits.whip", "rate_limits.whep", "rate_limits.patch", "rate_limits.api"])
        #expect(fields.last?.new == "5/s burst 5")
        #expect(fields.allSatisfy { !$0.isLive })
    }
}
