/// Field splitting and number reading shared by the SDP line and attribute parsers.
enum SDPText {
    /// Space-separated fields; runs of spaces count as one separator.
    static func fields(_ text: Substring) -> [Substring] {
        text.split(separator: " ", omittingEmptySubsequences: true)
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }),
            let last = text.lastIndex(where: { !isBlank($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// Splits `text` at the first `separator` into the part before and the part after it.
    static func splitOnce(_ text: Substring, at separator: Character) -> (Substring, Substring?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (text[..<index], text[text.index(after: index)...])
    }

    /// A decimal integer made of ASCII digits only; `what` names the field for the error.
    static func number<Value: FixedWidthInteger>(
        _ text: Substring, _ what: String, as _: Value.Type = Value.self
    ) throws(SDPValueError) -> Value {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = Value(text, radix: 10)
        else {
            throw SDPValueError("\(what) '\(text)' is not a decimal number in range")
        }
        return value
    }

    /// An RTP payload type: a decimal number from 0 to 127 (RFC 3550 §5.1, RFC 8866 §5.14).
    static func payloadType(_ text: Substring) throws(SDPValueError) -> UInt8 {
        let value: UInt8 = try number(text, "payload type")
        guard value <= 127 else {
            throw SDPValueError("payload type \(value) is above 127 (RFC 3550 §5.1)")
        }
        return value
    }
}
