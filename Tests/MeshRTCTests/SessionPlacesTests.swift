import Testing

@testable import MeshRTC

/// Issue 12 (cost per packet from 50 viewers to capacity): a stream's sessions share one
/// worker until it holds `streamFill`, then spread evenly; `streamFill` 0 deals them in turn.
@Suite struct SessionPlacesTests {
    static func viewer(_ id: Int, of stream: String = "cam") -> SessionAddress {
        SessionAddress(id: "\(stream)-\(id)", stream: stream, role: .viewer)
    }

    @Test func aStreamStaysOnItsFirstWorkerUntilItHoldsTheFill() {
        var places = SessionPlaces(workers: 2, streamFill: 3)
        let publisher = places.place(SessionAddress(id: "pub", stream: "cam", role: .publisher))
        // The first session of a stream goes to the least loaded worker, the last on a tie:
        // worker 0 also runs the TURN listeners and the stream expiry.
        #expect(publisher == 1)
        #expect((0..<2).map { places.place(Self.viewer($0)) } == [1, 1])
        // Worker 1 holds 3 now: the stream spills to the worker with the fewest, and the two
        // share it evenly from there.
        #expect((2..<7).map { places.place(Self.viewer($0)) } == [0, 0, 0, 1, 0])
        #expect(places.sessionsPerWorker == [4, 4])
        #expect(places["cam-2"] == SessionPlace(worker: 0, stream: "cam", role: .viewer))
    }

    @Test func aNewStreamStartsOnTheLeastLoadedWorker() {
        var places = SessionPlaces(workers: 3, streamFill: 100)
        for id in 0..<5 { _ = places.place(Self.viewer(id, of: "big")) }
        #expect(places.sessionsPerWorker == [0, 0, 5])
        #expect(places.place(Self.viewer(0, of: "small")) == 1)
        #expect(places.place(Self.viewer(0, of: "third")) == 0)
        #expect(places.place(Self.viewer(1, of: "small")) == 1)
    }

    @Test func removingTheLastSessionForgetsTheStreamsHome() {
        var places = SessionPlaces(workers: 2, streamFill: 100)
        #expect(places.place(Self.viewer(0)) == 1)
        _ = places.place(Self.viewer(0, of: "other"))  // worker 0, the fewest
        _ = places.place(Self.viewer(1, of: "other"))  // its home, worker 0
        #expect(places.remove(id: "cam-0") == SessionPlace(worker: 1, stream: "cam", role: .viewer))
        #expect(places.remove(id: "cam-0") == nil)
        #expect(places["cam-0"] == nil)
        // "cam" has no session left, so its next one starts afresh on the least loaded worker.
        _ = places.place(Self.viewer(2, of: "other"))
        #expect(places.sessionsPerWorker == [3, 0])
        #expect(places.place(Self.viewer(1)) == 1)
    }

    @Test func aBusyStreamEndsUpEvenlySpread() {
        // The fan-out benchmark at capacity: one publisher, 1300 viewers, two workers.
        var places = SessionPlaces(workers: 2)
        _ = places.place(SessionAddress(id: "pub", stream: "cam", role: .publisher))
        for id in 0..<1300 { _ = places.place(Self.viewer(id)) }
        #expect(places.sessionsPerWorker == [650, 651])
    }

    @Test func onAnEdgeANewStreamStartsOnTheUpstreamLinksWorker() {
        // An edge with 4 workers whose upstream link end receives on worker 1: a stream's packets
        // arrive there, so its viewers do too, rather than on worker 3 (the least loaded).
        var places = SessionPlaces(workers: 4, streamFill: 3)
        places.upstreamLinkOpened("link-a", on: 1)
        #expect((0..<3).map { places.place(Self.viewer($0)) } == [1, 1, 1])
        // The link's worker is full: the next stream starts on the least loaded worker.
        #expect(places.place(Self.viewer(0, of: "other")) == 3)
        // Two upstream links: the less loaded of their workers.
        places.upstreamLinkOpened("link-b", on: 2)
        #expect(places.place(Self.viewer(0, of: "third")) == 2)
        places.linkEnded("link-b")
        places.linkEnded("link-a")
        #expect(places.place(Self.viewer(0, of: "fourth")) == 0)
    }

    @Test func aFillOfZeroDealsSessionsInTurn() {
        var places = SessionPlaces(workers: 2, streamFill: 0)
        #expect((0..<5).map { places.place(Self.viewer($0)) } == [0, 1, 0, 1, 0])
    }
}
