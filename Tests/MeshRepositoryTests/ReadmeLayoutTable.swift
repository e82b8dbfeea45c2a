/// The folders README.md's "Layout" table lists: the first backticked word of each row's first
/// cell, trailing slash dropped.
struct ReadmeLayoutTable {
    let folders: [String]

    init(readme: String) {
        var rows: [String] = []
        var inLayout = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                inLayout = line == "## Layout"
                continue
            }
            guard inLayout, line.hasPrefix("|") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count > 2, let folder = Self.firstCode(in: cells[1]) else { continue }
            rows.append(folder)
        }
        folders = rows
    }

    private static func firstCode(in cell: Substring) -> String? {
        let parts = cell.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        var folder = String(parts[1])
        while folder.hasSuffix("/") { folder.removeLast() }
        return folder
    }
}
