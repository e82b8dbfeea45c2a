import Glibc

/// How much room the recorder's storage has left (`statvfs`), so that a full disk refuses new
/// recordings up front instead of starting ones that fail at their first cluster.
enum StorageSpace {
    /// Below this many free bytes a new recording is refused: a few clusters of a 1.5 Mbit/s
    /// stream, and room for a failed recording's Cues.
    static let minimumFree: Int64 = 1 << 20

    /// Bytes an unprivileged writer may still use under `path`; nil when it cannot be asked.
    static func available(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Why `path` cannot take a new recording, or nil when it can (or cannot be asked).
    static func refusal(_ path: String) -> String? {
        guard let free = available(path), free < minimumFree else { return nil }
        return "disk full: \(path) has \(free) bytes free; new recordings need \(minimumFree)"
    }
}
