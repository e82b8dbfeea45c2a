import MeshCluster
import Synchronization

/// How many connections each client address holds open, so that one address cannot take
/// every file descriptor of the node. Shared by the server's event loops.
final class ConnectionsPerClient: Sendable {
    /// What happens to a new connection.
    enum Admission: Equatable {
        /// Counted; call ``closed(_:)`` when it closes.
        case accepted
        /// Over the cap and not counted. `firstSinceUnderCap` is true for the first refusal
        /// since the address was last under the cap, so that the log says it once, not per SYN.
        case refused(firstSinceUnderCap: Bool)
    }

    private struct State {
        var open: [String: Int] = [:]
        var refusing: Set<String> = []
    }

    /// The most connections one address may hold.
    let limit: Int
    /// Addresses the cap does not apply to (reverse proxies that many clients share).
    let uncapped: [IPNetwork]
    private let state = Mutex(State())

    init(limit: Int, uncapped: [IPNetwork] = []) {
        self.limit = limit
        self.uncapped = uncapped
    }

    /// Counts a new connection from `client`, or refuses it when the address is at the cap.
    func opened(_ client: String) -> Admission {
        let exempt = IPAddressValue(text: client).map { address in uncapped.contains { $0.contains(address) } } ?? false
        return state.withLock { state in
            let count = state.open[client, default: 0]
            guard count < limit || exempt else {
                return .refused(firstSinceUnderCap: state.refusing.insert(client).inserted)
            }
            state.open[client] = count + 1
            return .accepted
        }
    }

    /// An accepted connection from `client` closed.
    func closed(_ client: String) {
        state.withLock { state in
            let count = state.open[client, default: 1] - 1
            state.open[client] = count > 0 ? count : nil
            state.refusing.remove(client)
        }
    }

    /// The connections `client` holds now.
    func count(of client: String) -> Int {
        state.withLock { $0.open[client, default: 0] }
    }
}
