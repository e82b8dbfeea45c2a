import Dispatch
import Glibc
import Logging
import MeshCrypto
import MeshRuntime

/// Re-reads the TURN TLS certificate and key on SIGHUP (a renewed certificate, e.g. from an
/// ACME client) and hands the new context to the TLS listener; open connections and their
/// allocations are not touched. A file that does not load is logged and the running
/// certificate stays.
final class TURNCertificateReloader: Sendable {
    // Touched only in init and `cancel()`; the source's own queue serialises its handler.
    nonisolated(unsafe) private let source: any DispatchSourceSignal

    /// Watches SIGHUP for `listener`'s certificate, read again from `certificatePath` and
    /// `keyPath`; the listener is updated on `worker`.
    init(
        listener: TURNStreamListener, worker: any MediaLoop, certificatePath: String, keyPath: String,
        logger: Logger
    ) {
        // The default action of SIGHUP ends the process; the topology follower does the same.
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                let context = try TLSServerContext(certificatePath: certificatePath, keyPath: keyPath)
                worker.post { listener.replaceCertificate(context) }
                logger.info("SIGHUP: TURN over TLS now presents \(certificatePath)")
            } catch {
                logger.error(
                    "SIGHUP: TURN TLS certificate \(certificatePath) not reloaded, keeping the running one: \(error)")
            }
        }
        source.resume()
        self.source = source
    }

    /// Stops watching.
    func cancel() { source.cancel() }
}
