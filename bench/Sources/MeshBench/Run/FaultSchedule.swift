import Foundation

/// The scenario's faults, handed to the target when their time comes, each logged on stderr
/// with its time and what happened.
struct FaultSchedule {
    private var pending: [ScheduledFault]
    private let target: any LoadTarget

    init(_ faults: [ScheduledFault], target: any LoadTarget) {
        pending = faults.sorted { $0.atSeconds < $1.atSeconds }
        self.target = target
    }

    /// Applies every fault due by `elapsed` seconds.
    mutating func apply(upTo elapsed: Double) async {
        while let fault = pending.first, fault.atSeconds <= elapsed {
            pending.removeFirst()
            let note = await target.inject(fault.action)
            FileHandle.standardError.write(Data("\n[\(String(format: "%.1f", elapsed)) s] fault: \(note)\n".utf8))
        }
    }
}
