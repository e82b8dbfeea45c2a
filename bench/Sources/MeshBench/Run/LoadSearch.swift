/// Finds the largest viewer count every side of a comparison carries within the scenario's
/// limits, so `versus` compares at a load neither side is saturated at.
///
/// Each side climbs the same ladder (`start`, `start + step`, …) one trial per rung until a
/// trial fails; a side climbs no higher than the lowest rung another side already failed at
/// (so the side that breaks first, climbed first, spares the other a long climb). The common
/// load is the highest rung every side passed; the trials at the lowest failing rung, every
/// side's, are the saturated figures, reported apart.
struct LoadSearch {
    /// One side at one viewer count.
    struct Trial: Equatable, Sendable {
        /// The side ("meshcast", "janus").
        var side: String
        var viewers: Int
        /// Within the limits.
        var passed: Bool
        /// What the trial measured (absent in tests).
        var report: RunReport?
    }

    let start: Int
    let step: Int
    let max: Int
    /// Every trial, in the order run.
    private(set) var trials: [Trial] = []

    init(start: Int, step: Int, max: Int) {
        self.start = Swift.max(1, start)
        self.step = Swift.max(1, step)
        self.max = max
    }

    /// The lowest count some side failed at, else `max`: no side climbs past it.
    var ceiling: Int { trials.filter { !$0.passed }.map(\.viewers).min() ?? max }

    /// Climbs `side`'s ladder with `probe` (one trial at a viewer count) until a trial fails or
    /// the ceiling is passed.
    mutating func climb(_ side: String, probe: (Int) async throws -> Trial) async rethrows {
        var viewers = start
        while viewers <= ceiling {
            var trial = try await probe(viewers)
            trial.side = side
            trial.viewers = viewers
            trials.append(trial)
            guard trial.passed else { return }
            viewers += step
        }
    }

    /// The highest count every side that climbed passed; `nil` when one failed the first rung.
    var common: Int? {
        let sides = Set(trials.map(\.side))
        let passed = trials.filter(\.passed)
        let counts = Set(passed.map(\.viewers)).filter { count in
            sides.allSatisfy { side in passed.contains { $0.side == side && $0.viewers == count } }
        }
        return counts.max()
    }

    /// Every side's trial at the lowest count some side failed at: the saturated figures.
    var saturated: [Trial] {
        guard trials.contains(where: { !$0.passed }) else { return [] }
        return trials.filter { $0.viewers == ceiling }
    }
}
