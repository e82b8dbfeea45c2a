/// The stepping both capacity searches share (`meshbench capacity`): a load of `plan.start`,
/// then `plan.step` more per trial, up to `plan.max`, until a trial fails its limits. The
/// viewer search climbs viewers, the recording search publishers (one recorded stream each).
struct CapacityLadder {
    let plan: CapacityPlan

    /// What the climb found: the report of the largest load that passed and of the last trial
    /// run (the failing one, or the top of the ladder).
    struct Outcome {
        var best: RunReport?
        var last: RunReport?
    }

    /// Runs `trial` at each rung; it returns the trial's report and whether it passed. The climb
    /// stops at the first failure or past `plan.max`.
    func climb(_ trial: (Int) async throws -> (report: RunReport, passed: Bool)) async throws -> Outcome {
        var outcome = Outcome()
        var load = plan.start
        while load <= plan.max {
            let (report, passed) = try await trial(load)
            outcome.last = report
            guard passed else { break }
            outcome.best = report
            load += plan.step
        }
        return outcome
    }
}
