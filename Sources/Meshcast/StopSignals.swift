import Glibc
import Synchronization

/// SIGINT and SIGTERM for `meshcast up`: a handler that only records the signal, read by the
/// supervisor's loop. A caught signal (unlike an ignored one) reverts to its default action in
/// the programs `up` starts, so redis-server and the nodes stay stoppable by SIGTERM themselves.
enum StopSignals {
    /// The last stop signal received, 0 before any.
    private static let received = Atomic<Int32>(0)

    /// Installs the handler; from now on SIGINT and SIGTERM no longer end the process.
    static func install() {
        // Touch the lazily initialized global now: its first access is not async-signal-safe.
        _ = received.load(ordering: .relaxed)
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in StopSignals.received.store(number, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    /// The signal that asked `up` to stop, if one came.
    static var pending: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
