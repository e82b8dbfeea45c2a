import CLibUV

/// A failed libuv call (or a failed syscall made on a libuv handle's descriptor), with its
/// status code, libuv's name for it and libuv's text.
///
/// This is the one place libuv status codes become Swift errors: every call in MeshRuntime
/// that returns a libuv status goes through ``UVError/check(_:_:)``. On Unix libuv codes are
/// negated errno values, so raw syscalls on a handle's fd report through here too.
public struct UVError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The libuv status code (negative; `-errno` on Unix).
    public let code: Int32
    /// What Meshcast was doing (usually the libuv function name).
    public let operation: String

    /// Creates the error for a failed `operation` that returned `code`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// libuv's symbolic name for the code, such as `EADDRINUSE` (uv_err_name).
    public var name: String { String(cString: uv_err_name(code)) }

    /// libuv's human-readable text for the code (uv_strerror).
    public var message: String { String(cString: uv_strerror(code)) }

    public var description: String { "\(operation) failed: \(name) (\(message))" }

    /// True when the kernel would have blocked (`UV_EAGAIN`): retry later or queue.
    public var isWouldBlock: Bool { code == UV_EAGAIN.rawValue }

    /// Passes a non-negative libuv status through, throwing for a negative one.
    @discardableResult
    @inline(__always)
    public static func check(_ status: Int32, _ operation: String) throws(UVError) -> Int32 {
        guard status >= 0 else { throw UVError(code: status, operation: operation) }
        return status
    }
}
