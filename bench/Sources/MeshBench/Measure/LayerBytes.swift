/// Bytes received per video resolution: the resolution of the latest key frame names the
/// simulcast layer a viewer is getting. Four fixed slots (three layers and a spare); more
/// resolutions than that share the last.
struct LayerBytes {
    struct Entry: Sendable {
        var width: UInt16
        var height: UInt16
        var bytes: Int
    }

    private(set) var entries: [Entry] = Array(repeating: Entry(width: 0, height: 0, bytes: 0), count: 4)

    /// Adds `bytes` to the `width` × `height` slot.
    mutating func add(_ bytes: Int, width: UInt16, height: UInt16) {
        guard width > 0 else { return }
        for index in entries.indices {
            if entries[index].width == width && entries[index].height == height {
                entries[index].bytes &+= bytes
                return
            }
            if entries[index].width == 0 || index == entries.count - 1 {
                entries[index] = Entry(width: width, height: height, bytes: entries[index].bytes &+ bytes)
                return
            }
        }
    }

    /// The resolutions seen, as "WxH" → bytes.
    var byResolution: [String: Int] {
        var result: [String: Int] = [:]
        for entry in entries where entry.width > 0 {
            result["\(entry.width)x\(entry.height)", default: 0] += entry.bytes
        }
        return result
    }
}
