import CLibUV
import CMeshShims
import Dispatch
import Glibc
import Synchronization

/// One media worker: a thread running its own libuv loop, pinned to one CPU, with its memory
/// on that CPU's NUMA node, owning its sockets, timers, inboxes and packet pools.
///
/// Everything a worker owns is touched only on its thread: create handles inside ``run(_:)``
/// (or from their callbacks). Other threads talk to a worker only through ``run(_:)``,
/// ``post(_:)`` and ``WorkerInbox``es. ``stop()`` closes every handle, drains the loop, closes
/// it, and joins the thread.
public final class MediaWorker: @unchecked Sendable {
    /// Position of the worker in its group.
    public let index: Int
    /// The CPU the worker was asked to run on (nil: not pinned).
    public let configuredCPU: Int?
    /// The sizes this worker preallocated with.
    public let settings: WorkerSettings
    /// Fixed-size packet buffers (``WorkerSettings/packetBufferSize``); worker thread only.
    public let packetPool: PacketBufferPool
    /// Receive-batch buffers for `recvmmsg` (``WorkerSettings/receiveBatchSize`` × 64 KiB);
    /// worker thread only.
    public let receivePool: PacketBufferPool

    /// Where the thread ended up; set by the worker thread before `init` returns.
    public private(set) var placement = WorkerPlacement(
        threadID: 0, configuredCPU: nil, pinning: .notRequested, affinity: [], numa: .unavailable)
    /// How shutdown went; nil until ``stop()`` returns.
    public private(set) var shutdownReport: WorkerShutdownReport?

    let loop: UnsafeMutablePointer<uv_loop_t>
    private var jobs: WorkerInbox<WorkerJob>?
    private var ownedHandles: [ObjectIdentifier: any WorkerOwnedHandle] = [:]
    private var workerThread = pthread_t()
    private let threadToJoin = Mutex<pthread_t?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private var shutdownStarted = false
    private var foreignHandlesClosed = 0
    private var startupError: WorkerError?
    private let started = DispatchSemaphore(value: 0)
    /// A turnstile opened once the thread is joined, so every `stop()` caller waits for it.
    private let joined = DispatchSemaphore(value: 0)

    /// Starts a worker thread and returns once its loop is ready.
    /// - Parameters:
    ///   - index: the worker's position in its group (names the thread `mesh-worker-<index>`).
    ///   - cpu: the CPU to pin to, or nil to float.
    ///   - settings: pool and queue sizes.
    public init(index: Int = 0, cpu: Int?, settings: WorkerSettings = WorkerSettings()) throws(WorkerError) {
        self.index = index
        configuredCPU = cpu
        self.settings = settings
        let batch = max(1, min(settings.receiveBatchSize, 20))
        packetPool = PacketBufferPool(bufferSize: settings.packetBufferSize, capacity: settings.packetBufferCount)
        receivePool = PacketBufferPool(bufferSize: batch * 65_536, capacity: max(1, settings.receiveBufferCount))
        loop = .allocate(capacity: 1)

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<MediaWorker>.fromOpaque(context).takeRetainedValue().threadMain()
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<MediaWorker>.fromOpaque(context).release()
            loop.deallocate()
            throw WorkerError.threadCreationFailed(status)
        }
        threadToJoin.withLock { $0 = thread }
        started.wait()
        if let startupError {
            join()
            throw startupError
        }
    }

    /// True when called on this worker's own thread.
    public var isCurrentThread: Bool {
        pthread_equal(pthread_self(), workerThread) != 0
    }

    private func threadMain() {
        workerThread = pthread_self()
        _ = CMeshShims_nameCallingThread("mesh-worker-\(index)")
        var pinning = CPUPinning.notRequested
        if let cpu = configuredCPU {
            let status = CMeshShims_pinCallingThreadToCPU(Int32(cpu))
            pinning = status == 0 ? .pinned(cpu: cpu) : .failed(cpu: cpu, errno: status)
        }
        let numa = NUMABinding.preferNode(ofCPU: pinning.pinnedCPU)
        let threadID = CPUTopology.currentThreadID()
        placement = WorkerPlacement(
            threadID: threadID, configuredCPU: configuredCPU, pinning: pinning,
            affinity: CPUTopology.affinity(ofThread: threadID), numa: numa)
        // First touch from this thread, after the NUMA policy: the pages land on our node.
        packetPool.prefault()
        receivePool.prefault()

        let initStatus = uv_loop_init(loop)
        guard initStatus == 0 else {
            startupError = .startFailed(UVError(code: initStatus, operation: "uv_loop_init"))
            loop.deallocate()
            started.signal()
            return
        }
        // Idle-time accounting feeds the loop-utilisation metric; a loop without it still runs.
        _ = CMeshShims_enableLoopIdleTime(loop)
        do {
            jobs = try WorkerInbox(
                worker: self, capacity: settings.jobInboxCapacity,
                onReceive: { $0.execute() },
                onDiscard: { $0.abandon() },
                afterDrain: { [unowned self] in
                    if stopRequested.load(ordering: .acquiring) { beginShutdown() }
                })
        } catch {
            startupError = .startFailed(error)
            finishLoop()
            started.signal()
            return
        }
        started.signal()
        uv_run(loop, UV_RUN_DEFAULT)
        finishLoop()
    }

    /// Lends the worker's raw libuv loop, for code that drives libuv directly (a hiredis
    /// async adapter, say). Worker thread only. Handles created this way that are still open at
    /// ``stop()`` are closed by `uv_walk` without a close callback; their memory stays the
    /// caller's to free after ``stop()`` returns.
    public func withLoop<Result>(_ body: (UnsafeMutablePointer<uv_loop_t>) throws -> Result) rethrows -> Result {
        precondition(isCurrentThread, "MediaWorker.withLoop called off the worker's thread")
        return try body(loop)
    }

    // MARK: Handle registry (worker thread only)

    func register(_ handle: any WorkerOwnedHandle) {
        ownedHandles[ObjectIdentifier(handle)] = handle
    }

    func unregister(_ handle: any WorkerOwnedHandle) {
        ownedHandles[ObjectIdentifier(handle)] = nil
    }

    /// Nanoseconds the loop has spent waiting for events since it started (libuv's
    /// `uv_metrics_idle_time`); the rest of wall time is the loop's busy time. Worker thread only.
    public var loopIdleTime: UInt64 { uv_metrics_idle_time(loop) }

    /// How many handles (sockets, listeners, timers, inboxes) the worker holds open.
    /// Worker thread only.
    public var openHandleCount: Int { ownedHandles.count }

    // MARK: Work from other threads

    /// Runs `body` on the worker's thread and returns its result (or rethrows its error).
    /// Throws ``WorkerError/stopped`` once the worker is stopping and
    /// ``WorkerError/inboxFull`` when its job inbox is full.
    public func run<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        guard !stopRequested.load(ordering: .acquiring), let jobs else { throw WorkerError.stopped }
        return try await withCheckedThrowingContinuation { continuation in
            let job = WorkerJob(
                execute: {
                    do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
                },
                abandon: { continuation.resume(throwing: WorkerError.stopped) })
            switch jobs.send(job) {
            case .accepted: break
            case .full: continuation.resume(throwing: WorkerError.inboxFull)
            case .closed: continuation.resume(throwing: WorkerError.stopped)
            }
        }
    }

    /// Queues `body` to run on the worker's thread without waiting for it.
    /// Returns false when the worker is stopping or its inbox is full.
    @discardableResult
    public func post(_ body: @escaping @Sendable () -> Void) -> Bool {
        guard !stopRequested.load(ordering: .acquiring), let jobs else { return false }
        return jobs.send(WorkerJob(execute: body, abandon: {})) == .accepted
    }

    // MARK: Shutdown

    /// Stops the worker: no more work is accepted, queued jobs that did not start fail with
    /// ``WorkerError/stopped``, every handle is closed, the loop is run until they are,
    /// `uv_loop_close` is called, and the thread is joined. Idempotent; call it from any
    /// thread except the worker's own.
    public func stop() {
        precondition(!isCurrentThread, "MediaWorker.stop() called on the worker's own thread")
        if !stopRequested.exchange(true, ordering: .acquiringAndReleasing) {
            jobs?.wake()
        }
        join()
    }

    private func join() {
        if let thread = threadToJoin.withLock({ thread in
            defer { thread = nil }; return thread
        }) {
            pthread_join(thread, nil)
        } else {
            joined.wait()
        }
        joined.signal()
    }

    /// Closes every handle the worker owns, then any foreign handle left on the loop.
    private func beginShutdown() {
        guard !shutdownStarted else { return }
        shutdownStarted = true
        // Other handles first, the job inbox (whose callback we are in) last.
        for handle in Array(ownedHandles.values) where handle !== jobs {
            handle.close()
        }
        jobs?.close()
        foreignHandlesClosed += closeForeignHandles()
    }

    /// uv_walk: closes handles nobody registered (created with raw libuv calls). Their memory
    /// is not ours, so they close without a callback.
    private func closeForeignHandles() -> Int {
        var closed = 0
        uv_walk(
            loop,
            { handle, counter in
                guard let handle, uv_is_closing(handle) == 0 else { return }
                handle.pointee.data = nil
                uv_close(handle, nil)
                counter?.assumingMemoryBound(to: Int.self).pointee += 1
            }, &closed)
        return closed
    }

    /// After `uv_run` returned: close whatever is left, let the close callbacks run, close the loop.
    private func finishLoop() {
        if !shutdownStarted {
            shutdownStarted = true
            for handle in Array(ownedHandles.values) { handle.close() }
        }
        foreignHandlesClosed += closeForeignHandles()
        uv_run(loop, UV_RUN_DEFAULT)
        var status = uv_loop_close(loop)
        if status == UV_EBUSY.rawValue {
            foreignHandlesClosed += closeForeignHandles()
            uv_run(loop, UV_RUN_DEFAULT)
            status = uv_loop_close(loop)
        }
        // A loop that did not close still has handles pointing into it: leak it, never free it.
        if status == 0 { loop.deallocate() }
        shutdownReport = WorkerShutdownReport(
            loopCloseStatus: status,
            foreignHandlesClosed: foreignHandlesClosed,
            packetBuffersInUse: packetPool.inUse,
            receiveBuffersInUse: receivePool.inUse)
    }
}

/// A closure queued for a worker, and what to do with it if the worker stops first.
struct WorkerJob: Sendable {
    let execute: @Sendable () -> Void
    let abandon: @Sendable () -> Void
}

/// How a worker's shutdown went.
public struct WorkerShutdownReport: Sendable, Equatable {
    /// What `uv_loop_close` returned (0: every handle was closed and the loop freed).
    public let loopCloseStatus: Int32
    /// Handles found by uv_walk that no MeshRuntime object owned.
    public let foreignHandlesClosed: Int
    /// Packet buffers still out when the loop closed (0 unless the application kept some).
    public let packetBuffersInUse: Int
    /// Receive-batch buffers still out when the loop closed (always expected to be 0).
    public let receiveBuffersInUse: Int
}
