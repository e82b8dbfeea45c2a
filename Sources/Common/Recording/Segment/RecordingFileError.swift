import Glibc

/// A failed system call on a recording file: which call, on which path, and `errno`.
public struct RecordingFileError: Error, Equatable, CustomStringConvertible {
    /// The system call (`open`, `write`, `fsync`, `rename`, ...).
    public let call: String
    /// The file or directory it was about.
    public let path: String
    /// The `errno` it set.
    public let code: Int32

    public var description: String {
        "\(call) \(path): \(String(cString: strerror(code))) (errno \(code))"
    }
}

/// The one place recording file I/O meets the C library: every call goes through
/// ``check(_:_:_:)``, which retries `EINTR` and turns a failure into a ``RecordingFileError``.
enum POSIXFile {
    /// Runs `body` until it does not fail with `EINTR`; throws on any other failure.
    @discardableResult
    static func check<Result: BinaryInteger>(
        _ call: String, _ path: String, _ body: () -> Result
    ) throws(RecordingFileError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw RecordingFileError(call: call, path: path, code: code)
        }
    }

    /// Opens `path` for writing; `create` makes a new file and fails if one exists.
    static func openForWriting(_ path: String, create: Bool) throws(RecordingFileError) -> Int32 {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0)
        return try check("open", path) { open(path, flags, 0o644) }
    }

    /// Writes all of `bytes` at the file's current offset.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(RecordingFileError) {
        var done = 0
        while done < bytes.count {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[done...])
            let written = try check("write", path) { write(fd, chunk.baseAddress, chunk.count) }
            done += written
        }
    }

    /// Writes all of `bytes` at `offset` without moving the file offset.
    static func writeAll(
        _ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String
    ) throws(RecordingFileError) {
        var done = 0
        while done < bytes.count {
            let chunk = UnsafeRawBufferPointer(rebasing: bytes[done...])
            let written = try check("pwrite", path) { pwrite(fd, chunk.baseAddress, chunk.count, off_t(offset + done)) }
            done += written
        }
    }

    /// Writes all of an array's bytes, at `offset` or (when `nil`) at the current offset.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int? = nil, path: String) throws(RecordingFileError)
    {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(RecordingFileError) in
                if let offset {
                    try writeAll(fd, raw, at: offset, path: path)
                } else {
                    try writeAll(fd, raw, path: path)
                }
            }
        }
        try result.get()
    }

    /// Moves a file to its final name and makes both the data and the name durable: fsync of
    /// the file (by the caller), rename, fsync of the directory.
    static func publish(from partPath: String, to finalPath: String) throws(RecordingFileError) {
        try check("rename", partPath) { rename(partPath, finalPath) }
        try syncDirectory(of: finalPath)
    }

    /// fsyncs the directory holding `path`, so a rename in it survives a power cut.
    static func syncDirectory(of path: String) throws(RecordingFileError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = try check("open", directory) {
            open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { close(fd) }
        try check("fsync", directory) { fsync(fd) }
    }

    /// The size of an open file.
    static func size(_ fd: Int32, path: String) throws(RecordingFileError) -> Int {
        var info = stat()
        try check("fstat", path) { fstat(fd, &info) }
        return Int(info.st_size)
    }
}
