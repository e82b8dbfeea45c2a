import Foundation

/// JSON in and out of the Janus API (its messages are JSON objects over HTTP).
enum JanusJSON {
    /// Why a Janus reply is unusable.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// `object` as compact JSON bytes.
    static func encode(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    /// The top-level JSON object in `bytes`.
    static func decode(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw Malformed(description: "Janus reply is not a JSON object")
        }
        return object
    }

    /// A 64-bit id Janus hands out (`data.id`), which JSONSerialization may give as any number type.
    static func identifier(_ value: Any?) -> UInt64? {
        if let number = value as? NSNumber { return number.uint64Value }
        return nil
    }
}
