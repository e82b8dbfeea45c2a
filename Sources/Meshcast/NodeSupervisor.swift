import Foundation
import MeshCluster

/// Runs `meshcast node` child processes and stops them together. By default one node ending on
/// its own stops the others (a demo mesh with a hole in it misleads); with `keepGoing` the rest
/// keep running, so that failover can be shown by killing a node.
final class NodeSupervisor {
    private struct Child {
        let node: TopologyNode
        let process: Process
        /// Whether its end was already reported.
        var reported = false
    }

    private let executable: String
    private let topologyPath: String
    private let environment: [String: String]
    private let keepGoing: Bool
    private let lifeline: ParentLifeline
    private var children: [Child] = []

    init(
        executable: String, topologyPath: String, environment: [String: String], keepGoing: Bool,
        lifeline: ParentLifeline
    ) {
        self.executable = executable
        self.topologyPath = topologyPath
        self.environment = environment
        self.keepGoing = keepGoing
        self.lifeline = lifeline
    }

    func start(_ node: TopologyNode) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["node", "--topology", topologyPath, "--id", node.id]
        process.environment = environment
        try process.runWithDefaultSignalMask()
        children.append(Child(node: node, process: process))
        try lifeline.watch(process.processIdentifier)
        print("started \(node.id) (pid \(process.processIdentifier))")
    }

    /// Polls the node's `/ready` until it answers 200; fails if the process exits first or
    /// SIGINT/SIGTERM asks `up` to stop.
    func waitUntilReady(_ node: TopologyNode, timeoutSeconds: Int) throws {
        guard let process = children.first(where: { $0.node.id == node.id })?.process else { return }
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        while Date() < deadline {
            if StopSignals.pending != nil { throw StopRequested() }
            guard process.isRunning else {
                throw SupervisorError("\(node.id) \(Self.ending(of: process)) before it was ready")
            }
            if HTTPProbe.status(host: node.api.host, port: node.api.port, path: "/ready") == 200 { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw SupervisorError("\(node.id) was not ready after \(timeoutSeconds) s")
    }

    /// Blocks until SIGINT/SIGTERM, or until a node ends on its own (with `keepGoing`: until
    /// every node has), then stops the others. Returns `up`'s exit status: non-zero when a
    /// node ended on its own or did not stop cleanly.
    func superviseUntilStopped() -> Int32 {
        var status: Int32 = 0
        while true {
            if let number = StopSignals.pending {
                print("\n\(number == SIGINT ? "SIGINT" : "SIGTERM"): stopping \(running.count) node(s)...")
                break
            }
            let ended = children.indices.filter { !children[$0].reported && !children[$0].process.isRunning }
            if !ended.isEmpty {
                status = 1
                for index in ended { children[index].reported = true }
                let names = ended.map { "\(children[$0].node.id) \(Self.ending(of: children[$0].process))" }
                if !keepGoing {
                    StandardError.write("\(names.joined(separator: "; ")); stopping the others (see --keep-going)")
                    break
                }
                guard !running.isEmpty else {
                    StandardError.write("\(names.joined(separator: "; ")); no node is left running")
                    break
                }
                StandardError.write(
                    "\(names.joined(separator: "; ")); --keep-going: \(running.count) node(s) keep running")
                fflush(nil)
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        if !stopAll() { status = 1 }
        return status
    }

    /// SIGTERM to every running child, a second SIGTERM 0.3 s later (a node drains on the first
    /// and stops at once on the second: `up` stops a whole mesh, so there is nowhere to drain
    /// to), SIGKILL to any still running 10 s later. Returns false when a child did not stop
    /// cleanly (killed, crashed or a non-zero status).
    @discardableResult
    func stopAll() -> Bool {
        var clean = true
        for child in children where child.process.isRunning { child.process.terminate() }
        // Apart, so that each node's signal listener sees two signals, not one pending twice.
        Thread.sleep(forTimeInterval: 0.3)
        for child in children where child.process.isRunning { child.process.terminate() }
        let deadline = Date().addingTimeInterval(10)
        for child in children {
            while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
            if child.process.isRunning {
                kill(child.process.processIdentifier, SIGKILL)
                child.process.waitUntilExit()
                StandardError.write("\(child.node.id) did not stop in 10 s: killed")
                clean = false
            } else if child.process.terminationReason == .uncaughtSignal || child.process.terminationStatus != 0 {
                if !child.reported { StandardError.write("\(child.node.id) \(Self.ending(of: child.process))") }
                clean = false
            } else {
                print("\(child.node.id) stopped")
            }
        }
        return clean
    }

    private var running: [Child] { children.filter { $0.process.isRunning } }

    /// How a child ended, for a line that names it: `exited with status 1`, `was killed by signal 9`.
    private static func ending(of process: Process) -> String {
        let pid = process.processIdentifier
        return process.terminationReason == .uncaughtSignal
            ? "(pid \(pid)) was killed by signal \(process.terminationStatus)"
            : "(pid \(pid)) exited with status \(process.terminationStatus)"
    }
}

/// Why `meshcast up` could not start or keep its nodes.
struct SupervisorError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// SIGINT or SIGTERM arrived while the nodes were starting.
struct StopRequested: Error {}
