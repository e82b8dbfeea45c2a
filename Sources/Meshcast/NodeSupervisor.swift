import Foundation
import MeshCluster

/// Runs `meshcast node` child processes and stops them together.
final class NodeSupervisor {
    private let executable: String
    private let topologyPath: String
    private let environment: [String: String]
    private var children: [(node: TopologyNode, process: Process)] = []

    init(executable: String, topologyPath: String, environment: [String: String]) {
        self.executable = executable
        self.topologyPath = topologyPath
        self.environment = environment
    }

    func start(_ node: TopologyNode) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["node", "--topology", topologyPath, "--id", node.id]
        process.environment = environment
        try process.run()
        children.append((node, process))
        print("started \(node.id) (pid \(process.processIdentifier))")
    }

    /// Polls the node's `/ready` until it answers 200; fails if the process exits first.
    func waitUntilReady(_ node: TopologyNode, timeoutSeconds: Int) throws {
        guard let process = children.first(where: { $0.node.id == node.id })?.process else { return }
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while Date() < deadline {
            guard process.isRunning else {
                throw SupervisorError("\(node.id) exited with status \(process.terminationStatus) before it was ready")
            }
            if HTTPProbe.status(host: node.api.host, port: node.api.port, path: "/ready") == 200 { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw SupervisorError("\(node.id) was not ready after \(timeoutSeconds) s")
    }

    /// Blocks until SIGINT/SIGTERM (then stops every child) or until a child exits on its own
    /// (then stops the others). Returns the exit status for `meshcast up`.
    func waitForSignalOrExit() -> Int32 {
        let signals = [SIGINT, SIGTERM]
        let received = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { received.signal() }
            source.resume()
            sources.append(source)
        }
        var status: Int32 = 0
        while true {
            if received.wait(timeout: .now() + 0.5) == .success {
                print("\nstopping \(children.count) node(s)...")
                break
            }
            if let exited = children.first(where: { !$0.process.isRunning }) {
                StandardError.write(
                    "\(exited.node.id) exited with status \(exited.process.terminationStatus); stopping the others")
                status = 1
                break
            }
        }
        if !stopAll() { status = 1 }
        sources.forEach { $0.cancel() }
        return status
    }

    /// SIGTERM to every child, SIGKILL to any still running 10 s later. Returns false when a
    /// child did not stop cleanly (killed, crashed or a non-zero status).
    @discardableResult
    func stopAll() -> Bool {
        var clean = true
        for child in children where child.process.isRunning { child.process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for child in children {
            while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if child.process.isRunning {
                kill(child.process.processIdentifier, SIGKILL)
                StandardError.write("\(child.node.id) did not stop in 10 s: killed")
                clean = false
            } else if child.process.terminationReason == .uncaughtSignal || child.process.terminationStatus != 0 {
                StandardError.write("\(child.node.id) ended with status \(child.process.terminationStatus)")
                clean = false
            } else {
                print("\(child.node.id) stopped")
            }
        }
        return clean
    }
}

struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
