import Synchronization

/// The part of an inbox its loop drains without knowing the element type.
protocol EmbeddedDrainable: AnyObject {
    /// Hands everything queued to the consumer, then runs `afterDrain`; false when empty.
    func drain() -> Bool
    /// Elements waiting.
    var count: Int { get }
    /// Closes the inbox (its loop is stopping).
    func close()
}

/// An inbox on an ``EmbeddedLoop``: sends queue (up to `capacity`) and the runtime's driver
/// drains them, calling `afterDrain` once after each drain, as ``WorkerInbox`` does on a wake-up.
///
/// The queue sits behind a mutex because any task may send; the callbacks are touched only by
/// the driver, which is why the class is `@unchecked Sendable`.
public final class EmbeddedInbox<Element: Sendable>: LoopInbox, EmbeddedDrainable, @unchecked Sendable {
    private struct State {
        var queue: [Element] = []
        var isClosed = false
    }

    /// How many elements the inbox holds at most.
    public let capacity: Int
    private let state = Mutex(State())
    private var onReceive: ((Element) -> Void)?
    private var afterDrain: (() -> Void)?
    private weak var loop: EmbeddedLoop?

    init(loop: EmbeddedLoop, capacity: Int, onReceive: @escaping (Element) -> Void, afterDrain: (() -> Void)?) {
        self.loop = loop
        self.capacity = capacity
        self.onReceive = onReceive
        self.afterDrain = afterDrain
    }

    /// Elements waiting for the next drain.
    public var count: Int { state.withLock { $0.queue.count } }

    @discardableResult
    public func send(_ element: consuming Element) -> InboxSendResult {
        let element = element
        return state.withLock { state in
            guard !state.isClosed else { return .closed }
            guard state.queue.count < capacity else { return .full }
            state.queue.append(element)
            return .accepted
        }
    }

    public func close() {
        let closedNow = state.withLock { state in
            defer {
                state.isClosed = true
                state.queue = []
            }
            return !state.isClosed
        }
        guard closedNow else { return }
        onReceive = nil
        afterDrain = nil
        loop?.forget(self)
    }

    func drain() -> Bool {
        let elements = state.withLock { state in
            defer { state.queue = [] }
            return state.queue
        }
        guard !elements.isEmpty else { return false }
        for element in elements { onReceive?(element) }
        afterDrain?()
        return true
    }
}
