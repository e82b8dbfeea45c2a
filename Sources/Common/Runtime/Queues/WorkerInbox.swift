import CLibUV
import Glibc
import Synchronization

/// The non-generic part of an inbox, so libuv's C callback can reach any `WorkerInbox<T>`.
public class InboxWakeTarget: @unchecked Sendable {
    func drainOnWake() {}
}

/// Outcome of handing an element to a ``WorkerInbox``.
public enum InboxSendResult: Sendable, Equatable {
    /// Queued; the consumer worker has been woken.
    case accepted
    /// The inbox is full; nothing was queued.
    case full
    /// The inbox is closed (its worker is stopping); nothing was queued.
    case closed
}

/// A cross-worker queue: any thread sends, one worker receives on its loop.
///
/// Producers push onto a ``BoundedMPSCQueue`` and wake the consumer with `uv_async_send`
/// (which coalesces: many sends before the loop wakes cost one callback). The consumer drains
/// everything queued in that callback and hands each element to `onReceive`.
///
/// Closing is safe against racing producers: every `send` counts itself in `activeSenders`
/// before it looks at `isClosing`; `close()` sets `isClosing`, then waits for the count to drop
/// to zero before it closes the async handle, so no producer ever touches a freed handle.
public final class WorkerInbox<Element: Sendable>: InboxWakeTarget, WorkerOwnedHandle, @unchecked Sendable {
    private let queue: BoundedMPSCQueue<Element>
    /// Fixed at init and only freed after every sender has left, so producers may read it.
    private let wakeHandle: UnsafeMutablePointer<uv_async_t>
    private let isClosing = Atomic<Bool>(false)
    private let activeSenders = Atomic<Int>(0)
    private var isClosed = false
    private weak var worker: MediaWorker?
    private var onReceive: ((Element) -> Void)?
    private var onDiscard: ((Element) -> Void)?
    private var afterDrain: (() -> Void)?

    /// How many elements the inbox holds at most.
    public var capacity: Int { queue.capacity }

    /// Creates an inbox on `worker`; call it on that worker's thread (inside `run {}`).
    /// `onReceive` runs on the worker's thread for each element; `onDiscard` gets the
    /// elements still queued when the inbox closes.
    init(
        worker: MediaWorker,
        capacity: Int,
        onReceive: @escaping (Element) -> Void,
        onDiscard: ((Element) -> Void)? = nil,
        afterDrain: (() -> Void)? = nil
    ) throws(UVError) {
        queue = BoundedMPSCQueue(minimumCapacity: capacity)
        wakeHandle = LoopHandleMemory.allocate(UV_ASYNC, as: uv_async_t.self)
        self.worker = worker
        self.onReceive = onReceive
        self.onDiscard = onDiscard
        self.afterDrain = afterDrain
        super.init()
        let status = uv_async_init(worker.loop, wakeHandle) { handle in
            guard let data = handle?.pointee.data else { return }
            Unmanaged<InboxWakeTarget>.fromOpaque(data).takeUnretainedValue().drainOnWake()
        }
        guard status == 0 else {
            LoopHandleMemory.freeUninitialized(wakeHandle)
            isClosed = true
            isClosing.store(true, ordering: .sequentiallyConsistent)
            throw UVError(code: status, operation: "uv_async_init")
        }
        wakeHandle.pointee.data = Unmanaged.passUnretained(self as InboxWakeTarget).toOpaque()
        worker.register(self)
    }

    /// Queues `element` for the consumer worker and wakes it. Safe from any thread; never
    /// blocks and never allocates.
    @discardableResult
    public func send(_ element: consuming Element) -> InboxSendResult {
        activeSenders.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { activeSenders.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        guard !isClosing.load(ordering: .sequentiallyConsistent) else { return .closed }
        guard queue.push(element) else { return .full }
        uv_async_send(wakeHandle)
        return .accepted
    }

    /// Wakes the consumer without queueing anything (used to deliver a stop request).
    func wake() {
        activeSenders.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { activeSenders.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        guard !isClosing.load(ordering: .sequentiallyConsistent) else { return }
        uv_async_send(wakeHandle)
    }

    override func drainOnWake() {
        while let element = queue.pop() {
            onReceive?(element)
        }
        afterDrain?()
    }

    /// Stops taking elements, hands any left to `onDiscard`, and closes the wake-up handle.
    /// Runs on the consumer worker's thread; idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        isClosing.store(true, ordering: .sequentiallyConsistent)
        // A sender that slipped in before the flag finishes within a push and an async send.
        while activeSenders.load(ordering: .sequentiallyConsistent) != 0 {
            sched_yield()
        }
        while let element = queue.pop() {
            onDiscard?(element)
        }
        LoopHandleMemory.close(wakeHandle)
        onReceive = nil
        onDiscard = nil
        afterDrain = nil
        worker?.unregister(self)
    }
}

extension MediaWorker {
    /// Creates a cross-worker inbox consumed on this worker. Call on this worker's thread
    /// (inside ``run(_:)``); then hand the inbox to producers on any thread. The inbox closes
    /// with the worker, or earlier with ``WorkerInbox/close()``.
    public func makeInbox<Element: Sendable>(
        of _: Element.Type = Element.self,
        capacity: Int,
        onReceive: @escaping (Element) -> Void
    ) throws(UVError) -> WorkerInbox<Element> {
        try WorkerInbox(worker: self, capacity: capacity, onReceive: onReceive)
    }
}
