import Logging
import MeshControl
import ServiceLifecycle
import UnixSignals

/// How a node stops when asked (SIGTERM or SIGINT): it drains first. Readiness fails at once
/// (``NodeDrainState``), the announcer marks the node `stopping` so that placement sends it no
/// one new (and downstream nodes move their links off it), and the sessions already here keep
/// flowing until none is left or the topology's `policies.drain_deadline_seconds` has passed;
/// then this service returns and the group stops the rest in order (``NodeServices``). A second
/// stop request ends the drain at once.
///
/// The service, not the group, traps the stop signals: the group ignores a second graceful
/// shutdown signal, and two listeners of one signal could not tell its first delivery from a
/// second one. It runs last in start order, so it is the first to hear the group stopping for
/// another reason (a service failed); then it returns at once without draining.
public final class NodeDrainService: Service, Sendable {
    private enum Event: Sendable {
        case stopRequested(String)
        case groupStopping
        case deadline
        case idle
    }

    private let drain: NodeDrainState
    private let announcer: NodeAnnouncer?
    private let isIdle: @Sendable () async -> Bool
    private let signals: UnixSignalsSequence?
    private let logger: Logger
    private let deadlineSeconds: @Sendable () -> Int
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    /// A drain service that sets `drain` and, in a mesh, tells `announcer`. `deadlineSeconds`
    /// is read when the drain begins (the topology the node follows then); `isIdle` says
    /// whether the node holds no session and feeds no link (polled four times a second while
    /// draining); `signals` are the stop signals, trapped by the caller as early as it can, so
    /// that one arriving while the node starts is kept for this service, not fatal (none in
    /// tests, which call ``requestStop(_:)``).
    public init(
        drain: NodeDrainState, announcer: NodeAnnouncer?, signals: UnixSignalsSequence?,
        logger: Logger, deadlineSeconds: @escaping @Sendable () -> Int,
        isIdle: @escaping @Sendable () async -> Bool
    ) {
        self.drain = drain
        self.announcer = announcer
        self.isIdle = isIdle
        self.signals = signals
        self.logger = logger
        self.deadlineSeconds = deadlineSeconds
        (events, sink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Asks the node to stop, as a stop signal does: the first request drains, the next one
    /// ends the drain at once.
    public func requestStop(_ why: String) {
        sink.yield(.stopRequested(why))
    }

    public func run() async {
        await withTaskGroup(of: Void.self) { tasks in
            if let trapped = signals {
                tasks.addTask { [self] in
                    for await signal in trapped { requestStop(signal == .sigint ? "SIGINT" : "SIGTERM") }
                }
            }
            await withGracefulShutdownHandler {
                await handleEvents(starting: &tasks)
            } onGracefulShutdown: { [sink] in
                sink.yield(.groupStopping)
            }
            tasks.cancelAll()
        }
    }

    /// Follows the events until the node should stop; starts the deadline and idle watchers in
    /// `tasks` when the drain begins.
    private func handleEvents(starting tasks: inout TaskGroup<Void>) async {
        var draining = false
        for await event in events {
            switch event {
            case .stopRequested(let why) where draining:
                logger.notice("\(why) again: stopping now, before the drain deadline")
                return
            case .stopRequested(let why):
                draining = true
                let seconds = deadlineSeconds()
                drain.beginDraining()
                await announcer?.beginStopping()
                logger.notice(
                    "\(why): draining: not ready, placement sends no one new; the sessions here keep flowing for up to \(seconds) s (send it again to stop now)"
                )
                tasks.addTask { [sink] in
                    try? await Task.sleep(for: .seconds(seconds))
                    sink.yield(.deadline)
                }
                tasks.addTask { [self] in await watchUntilIdle() }
            case .groupStopping:
                // Another service ended (a failure): the node stops now, drained or not.
                return
            case .deadline:
                logger.notice("drain deadline reached: stopping with the sessions still here")
                return
            case .idle:
                logger.notice("drained: no session or fed link is left: stopping")
                return
            }
        }
    }

    private func watchUntilIdle() async {
        while !Task.isCancelled {
            if await isIdle() {
                sink.yield(.idle)
                return
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
