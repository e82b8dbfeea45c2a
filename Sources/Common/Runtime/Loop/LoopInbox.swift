/// A bounded queue into one loop: any thread sends, the loop consumes (see
/// ``MediaLoop/makeInbox(of:capacity:onReceive:afterDrain:)``).
///
/// ``WorkerInbox`` is the real one (a lock-free ring and a `uv_async` wake-up);
/// ``EmbeddedInbox`` queues until its ``EmbeddedRuntime`` drains it.
public protocol LoopInbox<Element>: AnyObject, Sendable {
    /// What the inbox carries.
    associatedtype Element: Sendable

    /// Queues `element` for the consuming loop; never blocks.
    @discardableResult
    func send(_ element: consuming Element) -> InboxSendResult

    /// Stops taking elements and drops those still queued. Consuming loop only; idempotent.
    func close()
}

extension WorkerInbox: LoopInbox {}
