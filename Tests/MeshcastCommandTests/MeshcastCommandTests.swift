import Foundation
import Testing

/// End-to-end checks of the `meshcast` executable as a user runs it.
@Suite struct MeshcastCommandTests {
    @Test func versionNamesMeshcastAndEveryLinkedLibrary() throws {
        let outcome = try MeshcastBinary.run(["--version"])
        #expect(outcome.status == 0)
        let lines = outcome.standardOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.first == "meshcast 0.1.0")
        for library in ["libuv", "libsrtp2", "OpenSSL", "hiredis", "libpq", "libnuma"] {
            let line = lines.first { $0.hasPrefix(library + " ") }
            // Each library line must carry something after its name: a version or NUMA status.
            #expect(line.map { $0.count > library.count + 2 } == true, "no version line for \(library)")
        }
    }

    @Test func validatingTheLocalMeshSucceedsWithASummary() throws {
        let outcome = try MeshcastBinary.run(["topology", "validate", "topology/local.yaml"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.isEmpty)
        #expect(
            outcome.standardOutput
                == "topology/local.yaml: ok: mesh 'local': 5 nodes (1 origin, 1 relay, 2 edge, 1 recorder), 2 regions, 7 links\n"
        )
    }

    @Test(arguments: [
        (
            "Tests/Fixtures/topology/duplicate-node-id.yaml",
            "Tests/Fixtures/topology/duplicate-node-id.yaml:21:9: error: "
        ),
        ("Tests/Fixtures/topology/unknown-region.yaml", "Tests/Fixtures/topology/unknown-region.yaml:16:13: error: "),
    ])
    func badTopologyFailsWithCompilerStyleErrorsOnStandardError(file: String, prefix: String) throws {
        let outcome = try MeshcastBinary.run(["topology", "validate", file])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.hasPrefix(prefix), "\(outcome.standardError)")
    }

    @Test func everyFileIsCheckedEvenAfterAFailure() throws {
        let outcome = try MeshcastBinary.run([
            "topology", "validate", "Tests/Fixtures/topology/unknown-region.yaml", "topology/local.yaml",
        ])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.hasPrefix("topology/local.yaml: ok: "))
        #expect(outcome.standardError.contains("unknown-region.yaml:16:13: error: unknown region 'us-wset'"))
    }

    @Test func showPrintsOneRowPerPlannedNode() throws {
        let outcome = try MeshcastBinary.run(["topology", "show", "topology/local.yaml"])
        #expect(outcome.status == 0)
        let rows = outcome.standardOutput.split(separator: "\n")
        for id in ["origin-1", "relay-1", "edge-a", "edge-b", "recorder-1"] {
            #expect(rows.contains { $0.hasPrefix(id + " ") }, "no row for \(id)")
        }
        #expect(rows.contains { $0.hasPrefix("edge-b ") && $0.contains("local-b") && $0.contains("127.0.0.1:8083") })
    }

    @Test func unknownSubcommandGetsAUsageError() throws {
        let outcome = try MeshcastBinary.run(["teleport"])
        // ArgumentParser's validation failure exit code is EX_USAGE (64).
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("Usage: meshcast"))
    }
}
