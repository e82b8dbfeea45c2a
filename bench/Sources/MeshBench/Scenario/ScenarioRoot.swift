import Foundation

/// Where a scenario's relative paths (its `target.topology`, the default clips folder) are
/// resolved from: the repository the scenario file lives in, so that
/// `meshbench run /path/to/repo/bench/scenarios/fanout.yaml` works from any folder.
enum ScenarioRoot {
    /// The nearest folder at or above the scenario file's own folder that holds `Package.swift`
    /// or `.git`; the current folder when there is none (a scenario kept outside any repository
    /// then behaves as it always did).
    static func directory(
        forScenarioAt path: String, currentDirectory: String = FileManager.default.currentDirectoryPath
    )
        -> String
    {
        let absolute = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        var folder = URL(fileURLWithPath: absolute).standardizedFileURL.deletingLastPathComponent()
        while true {
            for marker in ["Package.swift", ".git"]
            where FileManager.default.fileExists(atPath: folder.appendingPathComponent(marker).path) {
                return folder.path
            }
            let parent = folder.deletingLastPathComponent()
            guard parent.path != folder.path else { return currentDirectory }
            folder = parent
        }
    }

    /// `path` itself when absolute, else `path` under `base`.
    static func resolve(_ path: String, from base: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }
}
