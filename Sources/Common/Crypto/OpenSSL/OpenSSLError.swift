import COpenSSL

/// A failure reported by OpenSSL, with the reasons drained from its thread-local error queue.
///
/// This is the one place OpenSSL failures become Swift errors: every call into libssl or
/// libcrypto that can fail goes through ``OpenSSLError/check(_:_:)`` or
/// ``OpenSSLError/capture(_:)``, so the queue is always drained and never leaks one call's
/// reasons into the next.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    /// What Meshcast was doing (the OpenSSL function, usually).
    public let operation: String
    /// OpenSSL's own reason strings, oldest first; empty when OpenSSL queued none.
    public let reasons: [String]

    public var description: String {
        reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }

    /// Builds the error for `operation` from, and empties, the calling thread's error queue.
    public static func capture(_ operation: String) -> OpenSSLError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(operation: operation, reasons: reasons)
    }

    /// Throws when an OpenSSL status (1 is success in libcrypto's convention) is not 1.
    public static func check(_ status: Int32, _ operation: String) throws(OpenSSLError) {
        guard status == 1 else { throw capture(operation) }
    }

    /// Unwraps a pointer OpenSSL returned, throwing when it is `NULL`.
    public static func check<T>(_ pointer: T?, _ operation: String) throws(OpenSSLError) -> T {
        guard let pointer else { throw capture(operation) }
        return pointer
    }
}
