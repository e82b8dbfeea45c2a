import MeshRTC

/// The per-stream lines of `/metrics` (Grafana's "Streams" row), one series per stream this
/// node has: viewers and publishers here, and the bitrate arriving by media kind (summed over
/// simulcast layers). A series goes when its stream does, so a mesh exports as many as it has
/// live streams on each node; that is what operators asked to see per stream.
enum StreamMetrics {
    /// The Prometheus text for `streams` (each line ending in a newline).
    static func text(_ streams: [StreamSnapshot]) -> String {
        let sorted = streams.sorted { $0.name < $1.name }
        var text = "# HELP meshcast_stream_viewers Viewer sessions of the stream on this node.\n"
        text += "# TYPE meshcast_stream_viewers gauge\n"
        for stream in sorted {
            text += "meshcast_stream_viewers{stream=\"\(escaped(stream.name))\"} \(stream.viewers)\n"
        }
        text += "# HELP meshcast_stream_publishers WHIP publishers of the stream on this node (0 or 1).\n"
        text += "# TYPE meshcast_stream_publishers gauge\n"
        for stream in sorted {
            text += "meshcast_stream_publishers{stream=\"\(escaped(stream.name))\"} \(stream.publishers)\n"
        }
        text +=
            "# HELP meshcast_stream_bitrate_bits_per_second Media arriving for the stream over the last second, by kind.\n"
        text += "# TYPE meshcast_stream_bitrate_bits_per_second gauge\n"
        for stream in sorted {
            var byKind: [String: Int] = [:]
            for track in stream.tracks { byKind[track.kind, default: 0] += track.layers.reduce(0) { $0 + $1.bitrate } }
            for (kind, bits) in byKind.sorted(by: { $0.key < $1.key }) {
                text +=
                    "meshcast_stream_bitrate_bits_per_second{stream=\"\(escaped(stream.name))\",kind=\"\(escaped(kind))\"} \(bits)\n"
            }
        }
        return text
    }

    /// A label value with `\`, `"` and newlines escaped (Prometheus text format).
    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
