/// What the media engine needs from the loop it runs on: a thread of its own (or, in tests,
/// the test's), work from other threads, and the handles it owns there.
///
/// ``MediaWorker`` is the real one (a pinned libuv loop); ``EmbeddedLoop`` runs inside an
/// ``EmbeddedRuntime`` that a test drives by hand. Handles made by a loop are used only on
/// that loop (inside ``run(_:)``, ``post(_:)`` or their callbacks).
public protocol MediaLoop: AnyObject, Sendable {
    /// Position of the loop in its group.
    var index: Int { get }

    /// Runs `body` on the loop and returns its result (or rethrows its error). Throws
    /// ``WorkerError/stopped`` once the loop is stopping and ``WorkerError/inboxFull`` when it
    /// cannot take more work.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result

    /// Queues `body` to run on the loop without waiting for it; false when the loop is stopping
    /// or cannot take more work.
    @discardableResult
    func post(_ body: @escaping @Sendable () -> Void) -> Bool

    /// Creates a bounded inbox consumed on this loop: any thread sends, `onReceive` runs on the
    /// loop for each element, and `afterDrain` (if any) once after each drain, so a consumer
    /// can finish work per burst (flush a send batch) rather than per element. Loop only.
    func makeInbox<Element: Sendable>(
        of _: Element.Type,
        capacity: Int,
        onReceive: @escaping (Element) -> Void,
        afterDrain: (() -> Void)?
    ) throws(UVError) -> any LoopInbox<Element>

    /// Opens a UDP socket on this loop bound to `address` (port 0: one is picked). Loop only.
    func openDatagramSocket(bindingTo address: SocketAddress) throws(UVError) -> any DatagramSocket

    /// Creates a stopped timer on this loop. Loop only.
    func makeTimer() throws(UVError) -> any LoopTimer

    /// Nanoseconds the loop has spent waiting for events; the rest of its time was busy.
    /// Loop only.
    var loopIdleTime: UInt64 { get }
}
