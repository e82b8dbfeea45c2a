import Foundation

/// Writes diagnostics to standard error, where tools and editors expect them.
enum StandardError {
    static func write(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
