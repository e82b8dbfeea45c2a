import Dispatch
import MeshRTC
import Synchronization

/// The recorder's one writing thread: a serial queue that drains every active recording's tap
/// every ``interval`` and runs their finishes, so that depacketizing, cluster writes and the
/// fsyncs of segment closes never run on a media worker or on the HTTP event loops.
final class RecordingPump: Sendable {
    /// How often the taps are drained: 10 ms holds about 1.5 packets of a 1.5 Mbit/s stream,
    /// far inside a tap's ring.
    static let interval = DispatchTimeInterval.milliseconds(10)

    private let queue: DispatchQueue
    private let recordings = Mutex<[ActiveRecording]>([])
    /// Dispatch sources are thread-safe, though not marked Sendable.
    private nonisolated(unsafe) let timer: any DispatchSourceTimer

    private let started = Atomic<Bool>(false)

    init() {
        queue = DispatchQueue(label: "meshcast.recorder.pump", qos: .userInitiated)
        timer = DispatchSource.makeTimerSource(queue: queue)
    }

    deinit {
        // libdispatch traps on releasing a source that was never resumed.
        if !started.load(ordering: .relaxed) {
            timer.cancel()
            timer.resume()
        }
    }

    /// Starts the timer (once).
    func start() {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        timer.schedule(deadline: .now() + Self.interval, repeating: Self.interval, leeway: .milliseconds(2))
        timer.setEventHandler { [self] in
            let list = recordings.withLock { $0.map { $0 } }
            for recording in list { recording.pump() }
        }
        timer.resume()
    }

    /// Stops the timer.
    func stop() {
        timer.cancel()
    }

    /// `recording` is drained from now on.
    func add(_ recording: ActiveRecording) {
        recordings.withLock { $0.append(recording) }
    }

    /// `recording` goes on with `tap` (``ActiveRecording/switchTap(to:)``, on the queue);
    /// returns once switched.
    func switchTap(of recording: ActiveRecording, to tap: StreamTap) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                recording.switchTap(to: tap)
                done.resume()
            }
        }
    }

    /// Stops draining `recording` and finishes it on the queue (segments closed, end
    /// catalogued); returns once done.
    func finish(_ recording: ActiveRecording, error: String? = nil) async {
        recordings.withLock { $0.removeAll { $0 === recording } }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            queue.async {
                recording.finish(error: error)
                done.resume()
            }
        }
    }
}
