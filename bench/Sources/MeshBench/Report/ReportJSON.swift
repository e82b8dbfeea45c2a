import Foundation

/// Reads and writes `RunReport` JSON: snake_case keys, ISO 8601 times, sorted keys so two
/// reports diff cleanly.
enum ReportJSON {
    /// The report as pretty-printed JSON.
    static func encode(_ report: RunReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(report)
    }

    /// A report from JSON written by `encode`.
    static func decode(_ data: Data) throws -> RunReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RunReport.self, from: data)
    }

    /// Reads a report file, naming the file when it cannot.
    static func read(path: String) throws -> RunReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportFileError(message: "\(path): cannot read file")
        }
        do {
            return try decode(data)
        } catch {
            throw ReportFileError(message: "\(path): not a meshbench report: \(error)")
        }
    }
}

/// A report file that cannot be read, with a message naming it.
struct ReportFileError: Error, CustomStringConvertible {
    /// What went wrong, naming the file.
    var message: String
    var description: String { message }
}
