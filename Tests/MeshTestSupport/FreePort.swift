import MeshCluster
import Synchronization

/// Ports on 127.0.0.1 that a test can bind now, for the servers and nodes it starts
/// (MeshCluster's `LoopbackPort` does the probing, as it does for `meshcast up`).
public enum FreePort {
    /// No free port was found.
    public struct NotFound: Error, CustomStringConvertible {
        public let description: String
    }

    /// Ports this process handed out already: the kernel may give the same free port to two
    /// probes in a row (two nodes of one topology then shared an API port in a CI run), so
    /// each is handed out once.
    private static let handedOut = Mutex(Set<Int>())

    /// Claims `port` for this process; false when it was handed out before.
    private static func claim(_ port: Int) -> Bool {
        handedOut.withLock { $0.insert(port).inserted }
    }

    /// A TCP port the kernel says is free now (bind port 0 on loopback and read it back) and
    /// that this process has not handed out before.
    public static func tcp() throws -> Int {
        for _ in 0..<50 {
            guard let port = LoopbackPort.probe(0, .tcp) else { break }
            if claim(port) { return port }
        }
        throw NotFound(description: "no free TCP port on 127.0.0.1")
    }

    /// The first of ten UDP ports, at a random multiple of ten in 41000-47990, whose first port
    /// is free: a node's `ports:` range (its workers bind from the first port up).
    public static func udpRangeStart() throws -> Int {
        for _ in 0..<50 {
            let first = Int.random(in: 4100...4799) * 10
            if LoopbackPort.isFree(first, .udp), claim(first) { return first }
        }
        throw NotFound(description: "no free UDP port range found")
    }
}
