import MeshRuntime

/// A 1 ms timer that runs only while a viewer on the worker probes (``BandwidthProbe``), so
/// that padding leaves evenly spaced instead of in a burst every 20 ms tick.
///
/// Spacing is what lets a receiver read a probe: Chromium's receive-side estimator (the
/// abs-send-time one a viewer without transport-cc runs) groups packets whose send times are
/// evenly spaced into clusters, and until it has an estimate of its own it takes the best
/// cluster's rate as one and sends a REMB at once. A burst is no cluster, and the first REMB
/// then waits five seconds. Worker thread only.
final class ProbePacer {
    private let timer: any LoopTimer
    private let onFire: () -> Void
    private var running = false

    /// A pacer that calls `onFire` every millisecond while it runs.
    init(timer: any LoopTimer, onFire: @escaping () -> Void) {
        self.timer = timer
        self.onFire = onFire
    }

    /// Starts the timer unless it runs. A timer that fails to start leaves the padding to the
    /// 20 ms tick: probes still work, only slower to read.
    func run() {
        guard !running else { return }
        running = (try? timer.start(afterMilliseconds: 1, repeatingEvery: 1, onFire)) != nil
    }

    /// Stops the timer once no viewer probes.
    func stop() {
        guard running else { return }
        timer.stop()
        running = false
    }
}
