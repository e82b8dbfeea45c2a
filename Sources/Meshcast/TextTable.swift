/// Left-aligned columns separated by two spaces, for terminal output.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            row.enumerated()
                .map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column])
                }
                .joined(separator: "  ")
        }
        .joined(separator: "\n")
    }
}

extension String {
    /// The string with spaces appended up to `length` characters.
    fileprivate func padding(toLength length: Int) -> String {
        self + String(repeating: " ", count: max(0, length - count))
    }
}
