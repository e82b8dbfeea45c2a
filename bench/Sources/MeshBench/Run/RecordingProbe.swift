import Foundation
import Glibc

/// Reads what a recorder did during a run: its `/metrics` before the publishers start, once a
/// second during the run, and once its recordings have closed at the end; and the size of the
/// segment files in its storage directory at the start and the end (a file on disk is the
/// honest count of bytes written: the open cluster a recorder still holds in memory is not).
struct RecordingProbe {
    /// A recorder meshbench started, and where it writes.
    let node: MeshUnderTest.Node
    let storage: String
    private var start: Scrape
    private var storageAtStart: Int
    private var writtenAtStart: Set<String>
    private(set) var writeMaxima: [Double] = []
    private var activeMax = 0
    private var tapDropsMax = 0

    /// The counters of one scrape.
    struct Scrape {
        var linkBytes = 0.0
        var active = 0.0
        var tapDrops = 0.0
        var writeMax = 0.0
        var droppedFrames = 0.0
        var gaps = 0.0
        var failures = 0.0
    }

    /// The first recorder of `mesh` that has a storage directory, read now; `nil` without one.
    init?(mesh: MeshUnderTest) {
        guard let node = mesh.nodes.first(where: { $0.role == "recorder" && $0.storage != nil }),
            let storage = node.storage
        else { return nil }
        self.node = node
        self.storage = storage
        start = Self.scrape(node) ?? Scrape()
        (storageAtStart, writtenAtStart) = Self.segmentFiles(in: storage)
    }

    /// One second's reading: the slowest write since the last scrape, the open recordings.
    mutating func sample() {
        guard let now = Self.scrape(node) else { return }
        writeMaxima.append(now.writeMax)
        activeMax = max(activeMax, Int(now.active))
        tapDropsMax = max(tapDropsMax, Int(now.tapDrops))
    }

    /// Waits (up to `timeout` seconds) until the recorder has closed every recording (the
    /// publishers have left; the policy stops a recording 1.5 s after its publisher), then
    /// reads the end: the figures with the recorder's CPU over the run.
    mutating func finish(streams: Int, cpuPercent: Double, timeout: Double = 20) -> RecordingFigures {
        let deadline = Date().addingTimeInterval(timeout)
        var end = Self.scrape(node)
        while let current = end, current.active > 0, Date() < deadline {
            usleep(250_000)
            end = Self.scrape(node)
        }
        let last = end ?? start
        let files = Self.segmentFiles(in: storage)
        var figures = RecordingFigures(
            node: node.id, streams: streams, recordingsActiveMax: activeMax, cpuPercent: cpuPercent,
            bytesReceived: Int(last.linkBytes - start.linkBytes),
            bytesWritten: files.bytes - storageAtStart, writeSecondsMaxima: writeMaxima,
            droppedFrames: Int(last.droppedFrames - start.droppedFrames), tapDrops: tapDropsMax,
            gaps: Int(last.gaps - start.gaps), failures: Int(last.failures - start.failures))
        figures.noteWritten(recordings: files.recordings.subtracting(writtenAtStart).count)
        return figures
    }

    /// The recorder's counters; `nil` when it does not answer.
    static func scrape(_ node: MeshUnderTest.Node) -> Scrape? {
        guard let url = HTTPURL(node.base + "/metrics"),
            let response = try? HTTPClient.request("GET", url, timeoutSeconds: 2), response.status == 200
        else { return nil }
        let text = response.text
        let read = { (name: String) in NodeMetrics.total(name, in: text) ?? 0 }
        return Scrape(
            linkBytes: read("meshcast_relay_link_bytes_total"), active: read("meshcast_recordings_active"),
            tapDrops: read("meshcast_recording_tap_drops"), writeMax: read("meshcast_recording_write_seconds_max"),
            droppedFrames: read("meshcast_recording_dropped_frames_total"), gaps: read("meshcast_recording_gaps_total"),
            failures: read("meshcast_recording_failures_total"))
    }

    /// Bytes of the segment files under `directory` (`.webm`, `.mkv`, `.part`), leaving out the
    /// catalog's journal and the joined `recording.*` files the API makes on request.
    static func segmentBytes(in directory: String) -> Int {
        segmentFiles(in: directory).bytes
    }

    /// The segment files' bytes, and the recording folders (`STORAGE/<id>/`) holding at least
    /// one non-empty segment file: a recording that is active but never wrote is not counted.
    static func segmentFiles(in directory: String) -> (bytes: Int, recordings: Set<String>) {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return (0, []) }
        var total = 0
        var recordings: Set<String> = []
        while let name = walker.nextObject() as? String {
            let file = (name as NSString).lastPathComponent
            guard file.hasSuffix(".webm") || file.hasSuffix(".mkv") || file.hasSuffix(".part"),
                !file.hasPrefix("recording.")
            else { continue }
            var status = stat()
            if stat(directory + "/" + name, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
                total += Int(status.st_size)
                let folder = name.split(separator: "/").first.map(String.init) ?? name
                if status.st_size > 0, folder != name { recordings.insert(folder) }
            }
        }
        return (total, recordings)
    }
}
