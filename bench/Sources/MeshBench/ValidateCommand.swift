import ArgumentParser

/// `meshbench validate SCENARIO...`: checks scenario files and prints every problem.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files; print every problem as file:line:column: error: message."
    )

    @Argument(help: "Scenario files (bench/scenarios/*.yaml).")
    var scenarios: [String]

    func run() throws {
        var failed = false
        for path in scenarios {
            do {
                let loaded = try ScenarioLoader.load(path: path)
                print("\(path): ok: \(Self.summary(loaded.scenario))")
            } catch {
                failed = true
                print(error.description)
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// `N publishers, M viewers, S s`.
    static func summary(_ scenario: Scenario) -> String {
        "\(scenario.publishers.count) publishers, \(scenario.viewers.count) viewers, \(scenario.durationSeconds) s"
    }
}
