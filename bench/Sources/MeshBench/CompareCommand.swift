import ArgumentParser
import Foundation

/// `meshbench compare A.json B.json`: two run reports side by side with B/A ratios.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Show two run reports side by side, with B/A ratios and which is better."
    )

    @Argument(help: "The first report (A), JSON written by a meshbench run.")
    var first: String
    @Argument(help: "The second report (B).")
    var second: String
    @Option(help: "Also write the comparison as an HTML page to this file.")
    var html: String?

    func run() throws {
        let comparison = ReportComparison(try ReportJSON.read(path: first), try ReportJSON.read(path: second))
        print(comparison.text(nameA: first, nameB: second))
        if let html {
            try comparison.html(nameA: first, nameB: second).write(toFile: html, atomically: true, encoding: .utf8)
        }
    }
}
