import Hummingbird
import HummingbirdCore
import MeshRTC

/// Reads WHEP's per-viewer query parameters into ``ViewerOptions``.
enum ViewerOptionsQuery {
    /// A parameter that is present but unusable; the text says which and why.
    struct Invalid: Error {
        let reason: String
    }

    /// `maxBitrate`: a positive integer of bits per second; `maxBitrateSeconds`: a positive,
    /// finite number of seconds.
    static func parse(_ uri: URI) throws(Invalid) -> ViewerOptions {
        let query = uri.queryParameters
        var options = ViewerOptions()
        if let text = query["maxBitrate"] {
            guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int(text),
                value > 0
            else { throw Invalid(reason: "maxBitrate must be a positive integer of bits per second, not '\(text)'") }
            options.maxBitrate = value
        }
        if let text = query["maxBitrateSeconds"] {
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw Invalid(reason: "maxBitrateSeconds must be a positive number of seconds, not '\(text)'")
            }
            options.maxBitrateSeconds = value
        }
        return options
    }
}
