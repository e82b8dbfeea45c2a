import Foundation
import Testing

/// The "| preset | …" table of the RTC README: per row the preset's name (its first backticked
/// word) and each column's duration in ns; a dash (the end does not read it) is left out.
struct LinkPresetTable {
    struct Row {
        let preset: String
        let values: [String: UInt64]
    }

    let rows: [Row]

    init(readme: String) throws {
        let lines = readme.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("| preset |") }, "no '| preset |' table")
        let columns = Self.cells(lines[header])
        rows = try lines[(header + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            let cells = Self.cells(line)
            let preset = cells[0].split(separator: "`", omittingEmptySubsequences: false)
            var values: [String: UInt64] = [:]
            for (column, cell) in zip(columns, cells).dropFirst() where cell != "—" {
                let value = try #require(Self.nanoseconds(cell), "'\(cell)' is not '<n> ms' or '<n> s'")
                values[column] = value
            }
            return Row(preset: preset.count >= 3 ? String(preset[1]) : cells[0], values: values)
        }
    }

    private static func cells(_ line: String) -> [String] {
        line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// "200 ms" or "10 s" in ns.
    private static func nanoseconds(_ text: String) -> UInt64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let number = UInt64(parts[0]) else { return nil }
        switch parts[1] {
        case "ms": return number * 1_000_000
        case "s": return number * 1_000_000_000
        default: return nil
        }
    }
}
