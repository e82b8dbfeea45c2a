import MeshCluster

/// Ports on 127.0.0.1 that a test can bind now, for the servers and nodes it starts
/// (MeshCluster's `LoopbackPort` does the probing, as it does for `meshcast up`).
public enum FreePort {
    /// No free port was found.
    public struct NotFound: Error, CustomStringConvertible {
        public let description: String
    }

    /// A TCP port the kernel says is free now: bind port 0 on loopback and read it back.
    public static func tcp() throws -> Int {
        guard let port = LoopbackPort.probe(0, .tcp) else {
            throw NotFound(description: "no free TCP port on 127.0.0.1")
        }
        return port
    }

    /// The first of ten UDP ports, at a random multiple of ten in 41000-47990, whose first port
    /// is free: a node's `ports:` range (its workers bind from the first port up).
    public static func udpRangeStart() throws -> Int {
        for _ in 0..<50 {
            let first = Int.random(in: 4100...4799) * 10
            if LoopbackPort.isFree(first, .udp) { return first }
        }
        throw NotFound(description: "no free UDP port range found")
    }
}
