/// One `<type>=<value>` line of SDP (RFC 8866 §5) with its 1-based line number.
struct SDPLine {
    let number: Int
    let type: Character
    let value: Substring

    /// Splits text into typed lines. Accepts CRLF and bare LF endings (RFC 8866 §5 asks
    /// parsers to be tolerant of LF-only input) and skips empty lines, such as the one after
    /// the final line break.
    static func split(_ bytes: some Collection<UInt8>) throws(SDPParseError) -> [SDPLine] {
        var lines: [SDPLine] = []
        var number = 0
        for rawLine in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var content = Array(rawLine)
            if content.last == 0x0D { content.removeLast() }
            if content.isEmpty { continue }
            guard let text = String(validating: content, as: UTF8.self) else {
                throw SDPParseError(line: number, reason: "line is not valid UTF-8 (RFC 8866 §5)")
            }
            guard content.count >= 2, content[1] == UInt8(ascii: "="),
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(content[0])
            else {
                throw SDPParseError(
                    line: number,
                    reason: "expected '<type>=<value>' with a lower-case type letter (RFC 8866 §5)")
            }
            let valueStart = text.index(text.startIndex, offsetBy: 2)
            lines.append(
                SDPLine(number: number, type: Character(UnicodeScalar(content[0])), value: text[valueStart...]))
        }
        return lines
    }
}
