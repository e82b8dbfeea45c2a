import Testing

@testable import MeshBench

@Suite("versus: the load both sides carry")
struct LoadSearchTests {
    /// A probe that passes up to `carries` viewers and records what it was asked.
    final class FakeServer {
        let carries: Int
        var asked: [Int] = []
        init(carries: Int) { self.carries = carries }

        func probe(_ viewers: Int) -> LoadSearch.Trial {
            asked.append(viewers)
            return LoadSearch.Trial(side: "", viewers: 0, passed: viewers <= carries)
        }
    }

    @Test("Janus breaks at 200: Meshcast climbs no higher, both compare at 150, the 200 trials are the saturated ones")
    func otherBreaksFirst() async {
        var search = LoadSearch(start: 50, step: 50, max: 5000)
        let janus = FakeServer(carries: 170)
        let meshcast = FakeServer(carries: 1000)
        await search.climb("janus") { janus.probe($0) }
        await search.climb("meshcast") { meshcast.probe($0) }
        #expect(janus.asked == [50, 100, 150, 200])
        #expect(meshcast.asked == [50, 100, 150, 200])
        #expect(search.common == 150)
        #expect(search.saturated.map(\.side) == ["janus", "meshcast"])
        #expect(search.saturated.map(\.passed) == [false, true])
        #expect(search.saturated.allSatisfy { $0.viewers == 200 })
    }

    @Test("when Meshcast breaks below the other's limit, the common load is below Meshcast's break")
    func meshcastBreaksFirst() async {
        var search = LoadSearch(start: 50, step: 50, max: 5000)
        await search.climb("janus") { FakeServer(carries: 300).probe($0) }
        await search.climb("meshcast") { FakeServer(carries: 120).probe($0) }
        #expect(search.common == 100)
        #expect(search.saturated.map(\.viewers) == [150, 150])
        #expect(search.saturated.first { !$0.passed }?.side == "meshcast")
    }

    @Test("a side that fails the first rung leaves no common load; one that never fails stops at the maximum")
    func edges() async {
        var none = LoadSearch(start: 50, step: 50, max: 500)
        let meshcast = FakeServer(carries: 1000)
        await none.climb("janus") { FakeServer(carries: 10).probe($0) }
        await none.climb("meshcast") { meshcast.probe($0) }
        #expect(none.common == nil && meshcast.asked == [50])
        var all = LoadSearch(start: 50, step: 50, max: 200)
        await all.climb("janus") { FakeServer(carries: 1000).probe($0) }
        await all.climb("meshcast") { FakeServer(carries: 1000).probe($0) }
        #expect(all.common == 200 && all.saturated.isEmpty && all.trials.count == 8)
    }

    @Test("the versus table states each side's feed and its limits verdict, and the total CPU ratio")
    func versusTable() {
        var meshcast = SampleReports.report()
        meshcast.delivery = DeliveryFigures(
            feed: .webrtc, serverCpuSeconds: 2, feederCpuSeconds: 0.5, packetsDelivered: 1_000_000)
        var janus = SampleReports.report(lostAfter: 500)
        janus.target = "janus"
        janus.nodes[0].id = "janus"
        janus.delivery = DeliveryFigures(
            feed: .plainRTP, serverCpuSeconds: 7, feederCpuSeconds: 0.5, packetsDelivered: 1_000_000)
        let text = VersusTable.comparison(
            meshcast: meshcast, other: janus, viewers: 100, scenario: SampleTallies.scenario, heading: "compared")
        #expect(text.contains("meshcast WebRTC") && text.contains("janus plain RTP"))
        #expect(text.contains("meshcast within") && text.contains("janus OUTSIDE"))
        let row = text.split(separator: "\n").first { $0.hasPrefix("total CPU µs per delivered packet") }
        #expect(row.map { $0.hasSuffix(" 3") } == true, "\(row ?? "")")
    }
}
