import Foundation
import Glibc

extension Process {
    /// Starts the process with no signal blocked. A child inherits the signal mask of the
    /// thread that spawns it, and `meshcast`'s commands run on Swift's concurrency threads,
    /// which block nearly every signal: a redis-server started from one never saw SIGTERM.
    func runWithDefaultSignalMask() throws {
        var none = sigset_t()
        sigemptyset(&none)
        var previous = sigset_t()
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try run()
    }
}
