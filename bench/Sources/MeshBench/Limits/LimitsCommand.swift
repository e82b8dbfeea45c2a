import ArgumentParser

/// `meshbench limits`: this machine's UDP send limit alone, the figure `run` measures before
/// each run and divides the node's CPU per packet into (``SendLimitProbe``).
struct LimitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limits",
        abstract:
            "Measure the CPU the kernel needs to send one UDP datagram over loopback (sendmmsg and GSO), and a thread to sleep and wake once."
    )

    @Option(help: "Bytes per datagram (default: a scenario's largest video packet).")
    var size = SendLimitProbe.scenarioDatagramBytes
    @Option(help: "Loopback destinations, sent to round-robin.")
    var destinations = 200
    @Option(help: "CPU seconds per variant.")
    var seconds = 1.0

    func validate() throws {
        guard (1...65_507).contains(size) else { throw ValidationError("--size must be 1 to 65507 bytes") }
        guard (1...10_000).contains(destinations) else { throw ValidationError("--destinations must be 1 to 10000") }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds must be above 0 and at most 60") }
    }

    func run() throws {
        let figures = try SendLimitProbe(datagramBytes: size, destinations: destinations, seconds: seconds).measure()
        print(Self.render(figures))
    }

    /// The printed table: µs per packet and packets per second per core, for each variant.
    static func render(_ figures: SendLimitFigures) -> String {
        let number = { (value: Double) in FigureFormat.number(value, digits: 3) }
        var lines = [
            "send limit: \(figures.datagramBytes)-byte UDP datagrams to \(figures.destinations) loopback destinations, one thread",
            "  sendmmsg ×\(figures.batch): \(number(figures.usPerPacket)) µs per packet, "
                + "\(SendLimitFigures.rate(figures.packetsPerSecondPerCore)) per core",
        ]
        if let gso = figures.gsoUsPerPacket, let rate = figures.gsoPacketsPerSecondPerCore {
            lines.append(
                "  GSO ×\(figures.gsoSegments ?? 0) per send: \(number(gso)) µs per packet, "
                    + "\(SendLimitFigures.rate(rate)) per core")
        } else {
            lines.append("  GSO: not available (the kernel refused UDP_SEGMENT)")
        }
        if let wakeUp = figures.wakeUpUs {
            lines.append("  a sleep and wake-up: \(number(wakeUp)) µs of the thread's CPU (4 ms waits in poll)")
        }
        return lines.joined(separator: "\n")
    }
}
